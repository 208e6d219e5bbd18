// The runner: a child process that runs the user's training script unchanged, with tfjs instrumented from the
// moment the script loads it, and streams RunnerEvents to its parent over a private pipe (eventChannel.ts).
// Usage (by launchRunner only):
//   node runner.js <options-json> <script> [script args...]
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import { constants } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultIsInternal } from '../engine/callSites.ts';
import { instrument, type Instrumentation } from '../engine/instrument.ts';
import type { RunError } from '../protocol/report.ts';
import { seededRandom } from '../engine/probeEnvironment.ts';
import { ModelJsonError } from '../engine/savedModel/modelJson.ts';
import { toRunError } from './errors.ts';
import { prepareSavedModelProbe, type SavedModelProbe } from '../engine/savedModel/probeModel.ts';
import { installBundledFallback, resolveTfjs, TfjsResolutionError } from './resolveTfjs.ts';
import { installTypeScriptRequireHook } from './tsRequireHook.ts';
import { applyBackend, backendFor, prepareWasm } from '../engine/backend/backend.ts';
import type { RunnerArgs } from '../protocol/channel.ts';
import { watchParent } from './parentWatchdog.ts';
import { channelWriter } from './eventChannel.ts';
import { instrumentTfjsWhenLoaded, type LoadedTfjs } from './tfjsLoadHook.ts';

const debuggerRoot = path.resolve(__dirname, '..');
const isInternal = (file: string) => defaultIsInternal(file) || file.startsWith(debuggerRoot + path.sep + 'dist') ||
  file.includes(`${path.sep}node_modules${path.sep}sucrase${path.sep}`);

const send = channelWriter();

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
  if (!stat.isFile()) throw new UsageError(`${file} is not a regular file (a pipe or a device). Give ${what}.`);
  if (kind === 'script' && !/\.(c|m)?(j|t)s$/.test(file)) throw new UsageError(`${file}: not a .js, .mjs, .cjs or .ts file.`);
  if (kind === 'probe' && !file.endsWith('.json')) throw new UsageError(`${file}: not a .json file. Give ${what}.`);
  const blank = stat.size === 0 || (stat.size < 4096 && readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim() === '');
  if (blank) throw new UsageError(`${file} is empty: there is nothing to ${kind === 'probe' ? 'probe' : 'run'}.`);
}

class UsageError extends Error {}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(): Promise<void> {
  watchParent();
  const [optionsJson, scriptArg, ...scriptArgs] = process.argv.slice(2);
  const { options, kind, dataFile, backend, memoryLimitMb } = JSON.parse(optionsJson) as RunnerArgs;
  const script = path.resolve(scriptArg);
  let instrumentation: Instrumentation | null = null;
  let core: any = null;
  let ended = false;
  let tensorsAtStart = 0;

  const end = (status: 'completed' | 'failed', exitCode: number | null, error: RunError | null) => {
    if (ended) return;
    ended = true;
    try {
      instrumentation?.flush();
    } catch (e) {
      send({ type: 'log', level: 'warn', message: `could not flush the last gradient call: ${String(e)}` });
    }
    if (error) send({ type: 'error', error });
    send({
      type: 'run-end', status, exitCode, error,
      memory: { tensorsAtStart, tensorsAtEnd: core ? liveTensors(core) : 0 },
      gradientCallCount: instrumentation?.gradientCallCount ?? 0,
      backend: core ? backendName(core) : null,
    });
  };
  /** How the script ended when it ended on its own: its exit status, as node would have it. */
  const endWithStatus = (n: number, how: string) => {
    if (n === 0) end('completed', 0, null);
    else end('failed', n, { kind: 'script', ...toRunError(new Error(`The script ${how}.`), isInternal, script) });
  };
  const realExit = process.exit.bind(process);
  const fail = (error: unknown, exitCode: number) => {
    end('failed', exitCode, { kind: 'script', ...toRunError(error, isInternal, script) });
    realExit(exitCode);
  };
  /** The input cannot be run (exit code 2): one sentence, naming the file. */
  const refuse = (message: string, file: string, line: number | null) => {
    end('failed', 2, { kind: 'usage', message, file, line });
    realExit(2);
  };
  onFatal = (e) => fail(e, 1);
  process.on('uncaughtException', (e) => fail(e, 1));
  process.on('unhandledRejection', (e) => fail(e, 1));
  process.on('beforeExit', () => {
    const n = Number(process.exitCode ?? 0);
    endWithStatus(n, `set process.exitCode = ${n}`);
  });
  // Whatever else ends the process (process.reallyExit, a native abort in a dependency): the events are out.
  process.on('exit', (code) => endWithStatus(code, `exited with code ${code}`));
  process.exit = ((code?: number | string | null) => {
    const n = code == null ? Number(process.exitCode ?? 0) : Number(code);
    endWithStatus(n, `called process.exit(${n})`);
    return realExit(n);
  }) as typeof process.exit;
  // A signal the host passed on: a script with its own handler decides what happens, as under node; otherwise
  // the run ends here and the runner dies by the signal, as node would.
  for (const signal of SIGNALS) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      end('failed', 128 + constants.signals[signal], { kind: 'script', message: `The script was stopped by ${signal}.`, file: null, line: null });
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }

  let savedModel: SavedModelProbe | null = null;
  try {
    checkInput(script, kind);
    // The script's real folder, as node resolves its requires from it (a symlinked script included). A saved
    // model runs on the bundled tfjs: no project code is involved.
    const project = kind === 'probe' ? null : path.dirname(realpathSync(script));
    const tfjs = resolveTfjs(project, debuggerRoot);
    let esmParentURL: string | null = null;
    if (tfjs.source === 'bundled') esmParentURL = installBundledFallback(debuggerRoot).esmParentURL;
    installTypeScriptRequireHook();
    register(pathToFileURL(path.join(__dirname, 'esm-hooks.mjs')).href, { data: { bundledParentURL: esmParentURL } });
    const chosen = backendFor(backend ?? 'auto', tfjs.source);
    const wasm = chosen === 'wasm' ? await prepareWasm([project, debuggerRoot].filter((d): d is string => d != null), memoryLimitMb ?? 4096) : null;
    // Deep enough that an error thrown inside tfjs, below the taps' own frames, still shows the user's line.
    Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 40);
    send({
      type: 'run-start', target: script, args: scriptArgs, cwd: process.cwd(), pid: process.pid,
      startedAt: new Date().toISOString(), options,
      tfjs: { version: tfjs.version, backend: chosen ?? "tfjs's default", source: tfjs.source, path: path.dirname(tfjs.corePath) },
    });
    const instrumentLoaded = (mods: LoadedTfjs) => {
      core = mods.core;
      const note = applyBackend(mods.core, tfjs.corePath, chosen, wasm);
      if (note) send({ type: 'log', level: 'info', message: note });
      tensorsAtStart = liveTensors(mods.core);
      instrumentation = instrument(mods, { ...options, emit: send, isInternal, layerSource: savedModel?.layerSource });
    };
    if (kind === 'probe') {
      const load = createRequire(script);
      if (tfjs.entryPath) load(tfjs.entryPath);
      const mods = { core: load(tfjs.corePath), layers: tfjs.layersPath ? load(tfjs.layersPath) : null };
      savedModel = prepareSavedModelProbe(mods.core, mods.layers, script, dataFile);
      instrumentLoaded(mods);
    } else {
      instrumentTfjsWhenLoaded({
        corePath: tfjs.corePath,
        layersPath: tfjs.layersPath,
        onLoad: (mods) => guard(() => instrumentLoaded(mods)),
        onLayersLoad: (mods) => guard(() => {
          if (instrumentation && instrumentation.gradientCallCount > 0) {
            send({ type: 'log', level: 'warn', message: '@tensorflow/tfjs-layers loaded after the first gradient call: layers are not tapped in this run. Require @tensorflow/tfjs-layers before training.' });
            return;
          }
          instrumentation?.uninstall();
          instrumentation = instrument(mods, { ...options, emit: send, isInternal });
        }),
        onOtherCopy: (dir) => send({
          type: 'log', level: 'warn',
          message: `a second copy of tfjs-core was loaded (${dir}); only ${path.dirname(path.dirname(tfjs.corePath))} is instrumented, so models ` +
            'and gradient calls made with the other copy are not recorded. Make the script and its packages share one @tensorflow/tfjs (npm dedupe).',
        }),
      });
    }
    // Source maps on, so that the user's TypeScript lines are mapped (tfjs's own are paused while it loads).
    process.setSourceMapsEnabled(true);
  } catch (e) {
    if (e instanceof ModelJsonError) return refuse(e.message, e.file || script, e.line);
    if (e instanceof UsageError || e instanceof TfjsResolutionError) return refuse(e.message, script, null);
    internalFailure(e);
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

  /** The debugger itself failed (instrumenting tfjs): the run ends with exit code 1 and says so. */
  function internalFailure(e: unknown): void {
    const err = toRunError(e, () => false, null);
    end('failed', 1, { ...err, kind: 'internal', message: `The debugger could not instrument tfjs: ${err.message}` });
    realExit(1);
  }
  function guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      internalFailure(e);
    }
  }
}

/** Live tensors, read without initialising a backend (tf.memory() would). */
function liveTensors(core: any): number {
  return Number(core.engine().state.numTensors);
}

/** The backend tfjs has set, without initialising one. */
function backendName(core: any): string | null {
  try {
    return core.engine().backendName ?? null;
  } catch {
    return null;
  }
}

let onFatal: (error: unknown) => void = (error) => {
  console.error(error);
  process.exit(1);
};

main().catch((e) => onFatal(e));
