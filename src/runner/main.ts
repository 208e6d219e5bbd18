// The runner: a child process that runs the user's training script unchanged, with tfjs instrumented, and
// streams RunnerEvents to its parent over the IPC channel. Usage (by launchRunner only):
//   node runner.js <options-json> <script> [script args...]
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultIsInternal } from '../core/instrument/callSites.ts';
import { instrument, type Instrumentation } from '../core/instrument/instrument.ts';
import type { LayerInfo, RunError, RunOptions, RunnerEvent } from '../protocol.ts';
import { nameFailingGradients } from '../core/instrument/failingGradient.ts';
import { seededRandom } from '../core/instrument/probeEnvironment.ts';
import { ModelJsonError } from '../core/savedModel/modelJson.ts';
import { toRunError } from './errors.ts';
import { missingKernelError } from './missingKernel.ts';
import { prepareSavedModelProbe, type SavedModelProbe } from './probeModel.ts';
import { installBundledFallback, resolveTfjs, TfjsResolutionError } from './resolveTfjs.ts';
import { installTypeScriptRequireHook } from './tsRequireHook.ts';
import { chooseBackend, type BackendChoice } from './backend.ts';
import { watchParent } from './parentWatchdog.ts';

export interface RunnerArgs {
  options: RunOptions;
  kind: 'script' | 'probe';
  dataFile: string | null;
  backend: BackendChoice;
}

const debuggerRoot = path.resolve(__dirname, '..');
const isInternal = (file: string) => defaultIsInternal(file) || file.startsWith(debuggerRoot + path.sep + 'dist') ||
  file.includes(`${path.sep}node_modules${path.sep}sucrase${path.sep}`);

function send(event: RunnerEvent): void {
  process.send?.(event);
}

/** ESM or CommonJS, the way Node decides it for .js, plus the TypeScript extensions. */
function isEsm(script: string): boolean {
  if (script.endsWith('.mjs') || script.endsWith('.mts')) return true;
  if (script.endsWith('.cjs') || script.endsWith('.cts')) return false;
  for (let dir = path.dirname(script); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

function checkInput(file: string, kind: RunnerArgs['kind']): void {
  const what = kind === 'probe' ? "the model's model.json" : "the training script's file (.js, .mjs, .cjs or .ts)";
  if (!existsSync(file)) throw new UsageError(`${file}: no such file. Check the path.`);
  const stat = statSync(file);
  if (stat.isDirectory()) throw new UsageError(`${file} is a directory. Give ${what}.`);
  if (kind === 'script' && !/\.(c|m)?(j|t)s$/.test(file)) throw new UsageError(`${file}: not a .js, .mjs, .cjs or .ts file.`);
  if (kind === 'probe' && !file.endsWith('.json')) throw new UsageError(`${file}: not a .json file. Give ${what}.`);
  if (stat.size === 0 || readFileSync(file, 'utf8').trim() === '') throw new UsageError(`${file} is empty: there is nothing to ${kind === 'probe' ? 'probe' : 'run'}.`);
}

class UsageError extends Error {}

async function main(): Promise<void> {
  watchParent();
  const [optionsJson, scriptArg, ...scriptArgs] = process.argv.slice(2);
  const { options, kind, dataFile, backend } = JSON.parse(optionsJson) as RunnerArgs;
  const script = path.resolve(scriptArg);
  let instrumentation: Instrumentation | null = null;
  let core: any = null;
  let ended = false;
  let tensorsAtStart = 0;

  const flushLayers = () => {
    try {
      instrumentation?.flush();
    } catch (e) {
      send({ type: 'log', level: 'warn', message: `could not flush the last gradient call: ${String(e)}` });
    }
  };
  const end = (status: 'completed' | 'failed', exitCode: number | null, error: RunError | null) => {
    if (ended) return;
    ended = true;
    flushLayers();
    if (error) send({ type: 'error', error });
    send({
      type: 'run-end', status, exitCode, error,
      memory: { tensorsAtStart, tensorsAtEnd: core ? liveTensors(core) : 0 },
      gradientCallCount: instrumentation?.gradientCallCount ?? 0,
      backend: core ? safeBackend(core) : null,
    });
  };
  const realExit = process.exit.bind(process);
  const layersSeen = new Map<number, LayerInfo>();
  let debuggerWasm = false;
  const fail = (error: unknown, exitCode: number) => {
    const runError: RunError = { kind: 'script', ...toRunError(error, isInternal, script) };
    flushLayers(); // a missing kernel names a layer the run may not have reported yet
    const missing = missingKernelError(error, { layers: [...layersSeen.values()], debuggerWasm, fallback: runError });
    const code = missing?.kind === 'usage' ? 2 : exitCode;
    end('failed', code, missing ?? runError);
    realExit(code);
  };
  /** The input cannot be run (exit code 2): one sentence, naming the file. */
  const refuse = (message: string, file: string, line: number | null) => {
    end('failed', 2, { kind: 'usage', message, file, line });
    realExit(2);
  };
  onFatal = (e) => fail(e, 1);
  process.on('uncaughtException', (e) => fail(e, 1));
  process.on('unhandledRejection', (e) => fail(e, 1));
  process.on('beforeExit', () => end('completed', process.exitCode == null ? 0 : Number(process.exitCode), null));
  process.exit = ((code?: number | string | null) => {
    const n = code == null ? Number(process.exitCode ?? 0) : Number(code);
    if (n === 0) end('completed', 0, null);
    else {
      const err = toRunError(new Error(`The script called process.exit(${n}).`), isInternal, script);
      end('failed', n, { kind: 'script', ...err });
    }
    return realExit(n);
  }) as typeof process.exit;

  let savedModel: SavedModelProbe | null = null;
  try {
    checkInput(script, kind);
    // A saved model runs on the bundled tfjs: no project code is involved.
    const tfjs = resolveTfjs(kind === 'probe' ? null : path.dirname(script), debuggerRoot);
    let esmParentURL: string | null = null;
    if (tfjs.source === 'bundled') esmParentURL = installBundledFallback(debuggerRoot).esmParentURL;
    installTypeScriptRequireHook();
    register(pathToFileURL(path.join(__dirname, 'esm-hooks.mjs')).href, { data: { bundledParentURL: esmParentURL } });

    const load = createRequire(script);
    if (tfjs.entryPath) load(tfjs.entryPath);
    core = load(tfjs.corePath);
    const layers = tfjs.layersPath ? load(tfjs.layersPath) : null;
    // Source maps on only now: the user's TypeScript lines get mapped, tfjs's own (large) maps are not loaded.
    process.setSourceMapsEnabled(true);
    // Deep enough that an error thrown inside tfjs, below the taps' own frames, still shows the user's line.
    Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 40);
    const fallbacksUsed = new Set<string>();
    const onFallback = (kernel: string) => {
      if (fallbacksUsed.has(kernel)) return;
      fallbacksUsed.add(kernel);
      send({ type: 'kernel-fallback', kernel });
    };
    const setup = await chooseBackend(core, backend ?? 'auto', tfjs.source, { project: kind === 'probe' ? null : path.dirname(script), debugger: debuggerRoot }, onFallback);
    debuggerWasm = setup.debuggerWasm;
    nameFailingGradients(core);
    tensorsAtStart = liveTensors(core);
    send({
      type: 'run-start', target: script, args: scriptArgs, cwd: process.cwd(), pid: process.pid,
      startedAt: new Date().toISOString(), options,
      tfjs: { version: tfjs.version, backend: safeBackend(core) ?? 'unknown', source: tfjs.source, path: path.dirname(tfjs.corePath) },
    });
    if (setup.note) send({ type: 'log', level: 'info', message: setup.note });
    if (kind === 'probe') savedModel = prepareSavedModelProbe(core, layers, script, dataFile);
    const emit = (event: RunnerEvent) => {
      if (event.type === 'layers') for (const layer of event.layers) layersSeen.set(layer.id, layer);
      send(event);
    };
    instrumentation = instrument({ core, layers }, { ...options, emit, isInternal, layerSource: savedModel?.layerSource });
  } catch (e) {
    if (e instanceof ModelJsonError) return refuse(e.message, e.file || script, e.line);
    if (e instanceof UsageError || e instanceof TfjsResolutionError) return refuse(e.message, script, null);
    const err = toRunError(e, () => false, null);
    end('failed', 1, { ...err, kind: 'internal', message: `The debugger could not instrument tfjs: ${err.message}` });
    realExit(1);
    return;
  }

  if (savedModel) {
    Math.random = seededRandom(1);
    try {
      await savedModel.run();
    } catch (e) {
      if (!(e instanceof ModelJsonError)) throw e;
      refuse(e.message, e.file || script, e.line);
    }
    return;
  }
  process.argv = [process.argv[0], script, ...scriptArgs];
  if (isEsm(script)) {
    await import(pathToFileURL(script).href);
  } else {
    // runMain sets require.main, so `if (require.main === module)` scripts run as they would under node.
    (Module as any).runMain(script);
  }
}

/** Live tensors, read without initialising a backend (tf.memory() would). */
function liveTensors(core: any): number {
  return Number(core.engine().state.numTensors);
}

function safeBackend(core: any): string | null {
  try {
    return core.getBackend() ?? null;
  } catch {
    return null;
  }
}

let onFatal: (error: unknown) => void = (error) => {
  console.error(error);
  process.exit(1);
};

main().catch((e) => onFatal(e));
