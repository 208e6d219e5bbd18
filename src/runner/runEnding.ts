// How a run ends, from inside the runner, whichever way it ends: the script finished, called process.exit or set
// process.exitCode, threw, was refused as input, was stopped by a signal the host passed on, or the debugger
// itself failed. Each way sends the last events once (the last gradient call, an error, run-end with the exit
// status node would have had) before the process goes.
import { constants } from 'node:os';
import type { InternalPathTest } from '../engine/callSites.ts';
import type { Instrumentation } from '../engine/instrument.ts';
import type { TfjsCore } from '../engine/tfjs.ts';
import type { LayerInfo, RunError } from '../protocol/report.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { toRunError } from './errors.ts';
import { missingKernelError } from './missingKernel.ts';

/** What the runner has set up so far, which the last events report on. */
export interface RunnerState {
  core: TfjsCore | null;
  instrumentation: Instrumentation | null;
  /** Live tensors when tfjs was instrumented. */
  tensorsAtStart: number;
  /** The layers the run reported, to name the one a missing kernel was needed by (missingKernel.ts). */
  layersSeen: Map<number, LayerInfo>;
  /** The debugger set up the wasm backend (with its kernels and fallbacks) for this run. */
  debuggerWasm: boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Live tensors, read without initialising a backend (tf.memory() would). */
function liveTensors(core: TfjsCore): number {
  return Number(core.engine().state.numTensors);
}

/** The backend tfjs has set, without initialising one. */
function backendName(core: TfjsCore): string | null {
  try {
    return core.engine().backendName ?? null;
  } catch {
    return null;
  }
}

export class RunEnding {
  private ended = false;
  /** process.exit as node had it, before the script's calls to it were watched. */
  private readonly realExit = process.exit.bind(process);

  constructor(
    private readonly send: (event: RunnerEvent) => void,
    private readonly script: string,
    private readonly isInternal: InternalPathTest,
    private readonly state: RunnerState,
  ) {}

  /** Sends the last events, once. */
  end(status: 'completed' | 'failed', exitCode: number | null, error: RunError | null): void {
    if (this.ended) return;
    this.ended = true;
    const { core, instrumentation, tensorsAtStart } = this.state;
    this.flushLayers();
    if (error) this.send({ type: 'error', error });
    this.send({
      type: 'run-end', status, exitCode, error,
      memory: { tensorsAtStart, tensorsAtEnd: core ? liveTensors(core) : 0 },
      gradientCallCount: instrumentation?.gradientCallCount ?? 0,
      backend: core ? backendName(core) : null,
    });
  }

  /** How the script ended when it ended on its own: its exit status, as node would have it. */
  endWithStatus(n: number, how: string): void {
    if (n === 0) this.end('completed', 0, null);
    else this.end('failed', n, { kind: 'script', ...toRunError(new Error(`The script ${how}.`), this.isInternal, this.script) });
  }

  /** The script threw: the run fails with its error at the user's line, and the process exits. A kernel the
   *  backend lacks is the input's limit, not the script's fault (missingKernel.ts): exit code 2. */
  fail(error: unknown, exitCode: number): void {
    const runError: RunError = { kind: 'script', ...toRunError(error, this.isInternal, this.script) };
    this.flushLayers(); // a missing kernel names a layer the run may not have reported yet
    const missing = missingKernelError(error, { layers: [...this.state.layersSeen.values()], debuggerWasm: this.state.debuggerWasm, fallback: runError });
    const code = missing?.kind === 'usage' ? 2 : exitCode;
    this.end('failed', code, missing ?? runError);
    this.realExit(code);
  }

  /** Sends what the instrumentation still holds (changed layers, a call waiting for its optimizer step). */
  private flushLayers(): void {
    try {
      this.state.instrumentation?.flush();
    } catch (e) {
      this.send({ type: 'log', level: 'warn', message: `could not flush the last gradient call: ${String(e)}` });
    }
  }

  /** The input cannot be run (exit code 2): one sentence, naming the file. */
  refuse(message: string, file: string, line: number | null): void {
    this.end('failed', 2, { kind: 'usage', message, file, line });
    this.realExit(2);
  }

  /** The debugger itself failed (instrumenting tfjs): the run ends with exit code 1 and says so. */
  internalFailure(e: unknown): void {
    const err = toRunError(e, () => false, null);
    this.end('failed', 1, { ...err, kind: 'internal', message: `The debugger could not instrument tfjs: ${err.message}` });
    this.realExit(1);
  }

  /** Runs fn; if it throws, the debugger failed. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.internalFailure(e);
    }
  }

  /** Watches every way the process can end. */
  installProcessHooks(): void {
    process.on('uncaughtException', (e) => this.fail(e, 1));
    process.on('unhandledRejection', (e) => this.fail(e, 1));
    process.on('beforeExit', () => {
      const n = Number(process.exitCode ?? 0);
      this.endWithStatus(n, `set process.exitCode = ${n}`);
    });
    // Whatever else ends the process (process.reallyExit, a native abort in a dependency): the events are out.
    process.on('exit', (code) => this.endWithStatus(code, `exited with code ${code}`));
    process.exit = ((code?: number | string | null) => {
      const n = code == null ? Number(process.exitCode ?? 0) : Number(code);
      this.endWithStatus(n, `called process.exit(${n})`);
      return this.realExit(n);
    }) as typeof process.exit;
    // A signal the host passed on: a script with its own handler decides what happens, as under node; otherwise
    // the run ends here and the runner dies by the signal, as node would.
    for (const signal of SIGNALS) {
      const onSignal = () => {
        if (process.listenerCount(signal) > 1) return;
        this.end('failed', 128 + constants.signals[signal], { kind: 'script', message: `The script was stopped by ${signal}.`, file: null, line: null });
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      };
      process.on(signal, onSignal);
    }
  }
}
