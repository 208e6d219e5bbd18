// Sets a run up inside the runner: which tfjs the script gets (its project's own, else the bundled one), the
// module hooks that load the script (TypeScript, ES modules, the bundled fallback), the backend, and the taps,
// installed the moment the script loads tfjs (for a saved model: at once). Sends run-start.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { applyBackend, backendFor, prepareWasm, type PreparedWasm } from '../engine/backend/backend.ts';
import type { InternalPathTest } from '../engine/callSites.ts';
import { instrument } from '../engine/instrument.ts';
import { nameFailingGradients } from '../engine/probes/failingGradient.ts';
import { prepareSavedModelProbe, type SavedModelProbe } from '../engine/savedModel/probeModel.ts';
import { liveTensorCount, type TfjsModules } from '../engine/tfjs.ts';
import type { RunnerArgs } from '../protocol/channel.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { registerEsmHooks } from './esmHookRegistration.ts';
import { checkInput, isEsm } from './inputs.ts';
import { installBundledFallback, resolveTfjs, type ResolvedTfjs } from './resolveTfjs.ts';
import type { RunEnding, RunnerState } from './runEnding.ts';
import { instrumentTfjsWhenLoaded } from './tfjsLoadHook.ts';
import { installTypeScriptRequireHook } from './tsRequireHook.ts';

export interface RunSetup {
  args: RunnerArgs;
  script: string;
  scriptArgs: string[];
  /** The debugger's own package folder (the bundled tfjs is resolved from it). */
  debuggerRoot: string;
  isInternal: InternalPathTest;
  send: (event: RunnerEvent) => void;
  state: RunnerState;
  ending: RunEnding;
}

/** The backend chosen for the run (null: the project's tfjs keeps its own), with wasm's module compiled. */
interface Backend {
  chosen: 'wasm' | 'cpu' | null;
  wasm: PreparedWasm | null;
}

/** Checks the input, resolves tfjs and installs the module hooks. */
function resolveAndHook(s: RunSetup): { tfjs: ResolvedTfjs; project: string | null } {
  checkInput(s.script, s.args.kind);
  // The script's real folder, as node resolves its requires from it (a symlinked script included). A saved
  // model runs on the bundled tfjs: no project code is involved.
  const project = s.args.kind === 'probe' ? null : path.dirname(realpathSync(s.script));
  const tfjs = resolveTfjs(project, s.debuggerRoot);
  const esmParentURL = tfjs.source === 'bundled' ? installBundledFallback(s.debuggerRoot).esmParentURL : null;
  installTypeScriptRequireHook();
  registerEsmHooks(s.args.kind, s.args.kind === 'script' && isEsm(s.script), { bundledParentURL: esmParentURL });
  return { tfjs, project };
}

async function prepareBackend(s: RunSetup, tfjs: ResolvedTfjs, project: string | null): Promise<Backend> {
  const chosen = backendFor(s.args.backend ?? 'auto', tfjs.source);
  const dirs = [project, s.debuggerRoot].filter((d): d is string => d != null);
  return { chosen, wasm: chosen === 'wasm' ? await prepareWasm(dirs, s.args.memoryLimitMb ?? 4096) : null };
}

/** The taps' events, with the layers remembered (a missing kernel names the layer that needed it). */
function emitter(s: RunSetup): (event: RunnerEvent) => void {
  return (event) => {
    if (event.type === 'layers') for (const layer of event.layers) s.state.layersSeen.set(layer.id, layer);
    s.send(event);
  };
}

/** Sets the backend on the tfjs that loaded and installs the taps. */
function instrumentLoaded(s: RunSetup, tfjs: ResolvedTfjs, backend: Backend, mods: TfjsModules, savedModel: SavedModelProbe | null): void {
  s.state.core = mods.core;
  nameFailingGradients(mods.core);
  const fallbacksUsed = new Set<string>();
  const onFallback = (kernel: string) => {
    if (fallbacksUsed.has(kernel)) return;
    fallbacksUsed.add(kernel);
    s.send({ type: 'kernel-fallback', kernel });
  };
  const note = applyBackend(mods.core, tfjs.corePath, backend.chosen, backend.wasm, onFallback);
  s.state.debuggerWasm = backend.chosen === 'wasm';
  if (note) s.send({ type: 'log', level: 'info', message: note });
  s.state.tensorsAtStart = liveTensorCount(mods.core);
  s.state.instrumentation = instrument(mods, { ...s.args.options, emit: emitter(s), isInternal: s.isInternal, layerSource: savedModel?.layerSource });
}

/** A script: the taps go in when it loads tfjs (and again if it loads tfjs-layers later, before training). */
function instrumentWhenLoaded(s: RunSetup, tfjs: ResolvedTfjs, backend: Backend): void {
  instrumentTfjsWhenLoaded({
    corePath: tfjs.corePath,
    layersPath: tfjs.layersPath,
    onLoad: (mods) => s.ending.guard(() => instrumentLoaded(s, tfjs, backend, mods, null)),
    onLayersLoad: (mods) => s.ending.guard(() => {
      const current = s.state.instrumentation;
      if (current && current.gradientCallCount > 0) {
        s.send({ type: 'log', level: 'warn', message: '@tensorflow/tfjs-layers loaded after the first gradient call: layers are not tapped in this run. Require @tensorflow/tfjs-layers before training.' });
        return;
      }
      current?.uninstall();
      s.state.instrumentation = instrument(mods, { ...s.args.options, emit: emitter(s), isInternal: s.isInternal });
    }),
    onOtherCopy: (dir) => s.send({
      type: 'log', level: 'warn',
      message: `a second copy of tfjs-core was loaded (${dir}); only ${path.dirname(path.dirname(tfjs.corePath))} is instrumented, so models ` +
        'and gradient calls made with the other copy are not recorded. Make the script and its packages share one @tensorflow/tfjs (npm dedupe).',
    }),
  });
}

/** A saved model: tfjs loads now, and the model's probe is prepared (it runs once the taps are in). */
function loadForSavedModel(s: RunSetup, tfjs: ResolvedTfjs, backend: Backend): SavedModelProbe {
  const load = createRequire(s.script);
  if (tfjs.entryPath) load(tfjs.entryPath);
  const mods: TfjsModules = { core: load(tfjs.corePath), layers: tfjs.layersPath ? load(tfjs.layersPath) : null };
  const savedModel = prepareSavedModelProbe(mods.core, mods.layers, s.script, s.args.dataFile);
  instrumentLoaded(s, tfjs, backend, mods, savedModel);
  return savedModel;
}

/** Sets the run up; returns the saved model's probe to run, or null for a script (which the caller runs). */
export async function setUpRun(s: RunSetup): Promise<SavedModelProbe | null> {
  const { tfjs, project } = resolveAndHook(s);
  const backend = await prepareBackend(s, tfjs, project);
  // Deep enough that an error thrown inside tfjs, below the taps' own frames, still shows the user's line.
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 40);
  s.send({
    type: 'run-start', target: s.script, args: s.scriptArgs, cwd: process.cwd(), pid: process.pid,
    startedAt: new Date().toISOString(), options: s.args.options,
    tfjs: { version: tfjs.version, backend: backend.chosen ?? "tfjs's default", source: tfjs.source, path: path.dirname(tfjs.corePath) },
  });
  const savedModel = s.args.kind === 'probe' ? loadForSavedModel(s, tfjs, backend) : null;
  if (!savedModel) instrumentWhenLoaded(s, tfjs, backend);
  // Source maps on, so that the user's TypeScript lines are mapped (tfjs's own are paused while it loads).
  process.setSourceMapsEnabled(true);
  return savedModel;
}
