// Starts the runner as a child process and folds its events into a report. The CLI and the extension host
// both start runs through here. The runner's events come over a private pipe (eventChannel.ts), never Node IPC.
// The child leads its own process group, and its process tree is tracked (processTree.ts), so that Stop, a
// timeout or a signal ends everything the user's script started too, detached children included.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { RunReport } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { ReportBuilder } from '../model/reportBuilder.ts';
import { CHANNEL_FD, EventDecoder } from '../runner/eventChannel.ts';
import { ProcessTree } from './processTree.ts';

export interface LaunchOptions {
  /** 'script' runs a training script; 'probe' loads a saved model.json (no user code runs). */
  kind?: 'script' | 'probe';
  /** The training script, or the model.json for a probe. */
  script: string;
  /** For probes: a JSON file {x, y} of nested arrays; without it a seeded synthetic batch is used. */
  dataFile?: string;
  /** auto: the project's own tfjs keeps its backend, the bundled one trains on wasm. */
  backend?: 'auto' | 'wasm' | 'cpu';
  args?: string[];
  cwd?: string;
  options?: Partial<RunOptions>;
  /** Kill the run after this long; 0 or undefined for no limit. */
  timeoutMs?: number;
  /** 'inherit' passes the script's output straight through (CLI); 'pipe' hands it to onOutput (extension);
   *  'stderr' passes both to the host's stderr (the CLI when a report goes to stdout). */
  stdio?: 'inherit' | 'pipe' | 'stderr';
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  onEvent?: (event: RunnerEvent) => void;
  /** The Node binary; the extension passes its own with ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Heap limit of the runner, in MB. */
  memoryLimitMb?: number;
  /** Folder holding runner.js and esm-hooks.mjs. */
  distDir?: string;
}

export interface LaunchResult {
  report: RunReport;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunHandle {
  readonly pid: number | undefined;
  readonly done: Promise<LaunchResult>;
  /** Stop: ends the runner and everything it started, now. */
  cancel(): void;
  /** A signal the host received (SIGINT, SIGTERM, SIGHUP): passed to the script's process group as a terminal
   *  would, then, after `graceMs`, everything the run started is killed. */
  interrupt(signal: NodeJS.Signals, graceMs?: number): void;
}

/** setTimeout holds at most 2^31 - 1 ms (24.8 days); longer timeouts are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function longTimeout(fn: () => void, ms: number): { clear: () => void } {
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}

const DEFAULT_GRACE_MS = 3000;

const live = new Set<ProcessTree>();
let exitHookInstalled = false;

export function launchRunner(opts: LaunchOptions): RunHandle {
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, ...opts.options };
  const script = path.resolve(opts.cwd ?? process.cwd(), opts.script);
  const builder = new ReportBuilder(script, opts.args ?? [], options);
  const distDir = opts.distDir ?? __dirname;
  const started = Date.now();
  const runnerArgs = {
    options,
    kind: opts.kind ?? 'script',
    dataFile: opts.dataFile ? path.resolve(opts.cwd ?? process.cwd(), opts.dataFile) : null,
    backend: opts.backend ?? 'auto',
    memoryLimitMb: opts.memoryLimitMb ?? 4096,
  };
  const output = opts.stdio === 'pipe' ? 'pipe' : opts.stdio === 'stderr' ? 2 : 'inherit';
  const child: ChildProcess = spawn(opts.execPath ?? process.execPath, [
    `--max-old-space-size=${opts.memoryLimitMb ?? 4096}`,
    path.join(distDir, 'runner.js'), JSON.stringify(runnerArgs), script, ...(opts.args ?? []),
  ], {
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? process.env,
    stdio: [opts.stdio === 'pipe' ? 'ignore' : 'inherit', output, opts.stdio === 'pipe' ? 'pipe' : 'inherit', 'pipe'],
    detached: true,
  });
  const tree = child.pid != null ? new ProcessTree(child.pid) : null;
  if (tree) live.add(tree);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const t of live) t.kill(); });
  }
  const running = () => child.exitCode == null && child.signalCode == null;
  const killAll = () => { if (running()) tree?.kill(); };

  let stderrTail = '';
  if (opts.stdio === 'pipe') {
    child.stdout?.setEncoding('utf8').on('data', (c: string) => opts.onOutput?.(c, 'stdout'));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderrTail = (stderrTail + c).slice(-4000);
      opts.onOutput?.(c, 'stderr');
    });
  }
  const decoder = new EventDecoder((event) => {
    builder.apply(event);
    opts.onEvent?.(event);
  });
  const channel = child.stdio[CHANNEL_FD] as Readable | null;
  channel?.on('data', (chunk: Buffer) => decoder.push(chunk));
  channel?.on('error', () => undefined);

  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  let timer: { clear: () => void } | undefined;
  if (opts.timeoutMs && opts.timeoutMs > 0) {
    timer = longTimeout(() => {
      builder.end('timed-out', { message: `The script did not finish within ${seconds(opts.timeoutMs as number)}; it was stopped. Raise the timeout if it needs longer.`, file: script, line: null }, null);
      killAll();
    }, opts.timeoutMs);
  }
  let grace: NodeJS.Timeout | undefined;
  let interrupted: NodeJS.Signals | null = null;

  const done = new Promise<LaunchResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      timer?.clear();
      if (grace) clearTimeout(grace);
      if (tree) {
        tree.stop();
        live.delete(tree);
      }
      if (spawnError) {
        builder.end('failed', { message: `Could not start the runner: ${spawnError.message}`, file: null, line: null, kind: 'internal' }, null);
      } else if (builder.status === 'running') {
        // V8 aborts when the heap limit is reached (stderr is only seen when piped).
        const outOfMemory = /heap out of memory|Reached heap limit/i.test(stderrTail) || exitCode === 134 || signal === 'SIGABRT';
        const message = outOfMemory
          ? `The script ran out of memory (the runner's heap limit is ${opts.memoryLimitMb ?? 4096} MB; raise it with --memory or the tfjsDebugger.memoryLimitMb setting if the model needs more).`
          : `The runner stopped without finishing the run (${signal ? `signal ${signal}` : `exit code ${exitCode}`}).`;
        builder.end('failed', { message, file: script, line: null }, exitCode);
      } else if (interrupted) {
        builder.noteExit(exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null));
      }
      if (decoder.rejected || decoder.broken) {
        builder.apply({ type: 'log', level: 'warn', message: `the runner's event stream held ${decoder.broken ? `${decoder.broken} (the rest was not read)` : `${decoder.rejected} malformed events (dropped)`}` });
      }
      resolve({ report: builder.report(Date.now() - started), exitCode, signal });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal));
  });

  return {
    pid: child.pid,
    done,
    cancel() {
      builder.end('cancelled', { message: 'The run was stopped.', file: null, line: null }, null);
      killAll();
    },
    interrupt(signal, graceMs = DEFAULT_GRACE_MS) {
      if (interrupted || !running()) {
        if (interrupted) killAll();
        return;
      }
      interrupted = signal;
      builder.end('cancelled', { message: `Stopped by ${signal}: the script was sent ${signal}, as it would be without the debugger.`, file: null, line: null }, null);
      tree?.forward(signal);
      grace = setTimeout(killAll, graceMs);
    },
  };
}
