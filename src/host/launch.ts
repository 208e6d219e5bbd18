// Starts the runner as a child process and folds its events, once, into the run's LiveReport. The CLI and the
// extension host both start runs through here. The runner's events come over a private pipe (eventReader.ts),
// never Node IPC. The child leads its own process group, and its process tree is tracked (processTree.ts), so that
// Stop, a timeout or a signal ends everything the user's script started too, detached children included.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { CHANNEL_FD, type BackendChoice, type RunnerArgs } from '../protocol/channel.ts';
import type { RunReport } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { EventDecoder } from './eventReader.ts';
import { LiveReport } from './liveReport.ts';
import { ProcessTree } from './processTree.ts';

export interface LaunchOptions {
  /** 'script' runs a training script; 'probe' loads a saved model.json (no user code runs). */
  kind?: 'script' | 'probe';
  /** The training script, or the model.json for a probe. */
  script: string;
  /** For probes: a JSON file {x, y} of nested arrays; without it a seeded synthetic batch is used. */
  dataFile?: string;
  backend?: BackendChoice;
  args?: string[];
  cwd?: string;
  options?: Partial<RunOptions>;
  /** Kill the run after this long; 0 or undefined for no limit. */
  timeoutMs?: number;
  /** 'inherit' passes the script's output straight through (CLI); 'pipe' hands it to onOutput (extension);
   *  'stderr' passes both to the host's stderr (the CLI when a report goes to stdout). */
  stdio?: 'inherit' | 'pipe' | 'stderr';
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Each event, after it was folded into the report. */
  onEvent?: (event: RunnerEvent) => void;
  /** The report to fold the run into (the extension's RunStore made it, and its views read it); by default a
   *  new one, which `done` gives the final snapshot of. */
  live?: LiveReport;
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
const DEFAULT_MEMORY_MB = 4096;

const liveTrees = new Set<ProcessTree>();
let exitHookInstalled = false;

/** Every run's process tree is killed when the host exits, however it exits. */
function track(tree: ProcessTree | null): void {
  if (tree) liveTrees.add(tree);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const t of liveTrees) t.kill(); });
  }
}

function spawnRunner(opts: LaunchOptions, script: string, options: RunOptions): ChildProcess {
  const runnerArgs: RunnerArgs = {
    options,
    kind: opts.kind ?? 'script',
    dataFile: opts.dataFile ? path.resolve(opts.cwd ?? process.cwd(), opts.dataFile) : null,
    backend: opts.backend ?? 'auto',
    memoryLimitMb: opts.memoryLimitMb ?? DEFAULT_MEMORY_MB,
  };
  const output = opts.stdio === 'pipe' ? 'pipe' : opts.stdio === 'stderr' ? 2 : 'inherit';
  return spawn(opts.execPath ?? process.execPath, [
    `--max-old-space-size=${opts.memoryLimitMb ?? DEFAULT_MEMORY_MB}`,
    path.join(opts.distDir ?? __dirname, 'runner.js'), JSON.stringify(runnerArgs), script, ...(opts.args ?? []),
  ], {
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? process.env,
    stdio: [opts.stdio === 'pipe' ? 'ignore' : 'inherit', output, opts.stdio === 'pipe' ? 'pipe' : 'inherit', 'pipe'],
    detached: true,
  });
}

/** The script's output to onOutput (when piped), keeping the end of stderr to tell an out-of-memory abort. */
function readOutput(child: ChildProcess, opts: LaunchOptions): () => string {
  let stderrTail = '';
  if (opts.stdio === 'pipe') {
    child.stdout?.setEncoding('utf8').on('data', (c: string) => opts.onOutput?.(c, 'stdout'));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderrTail = (stderrTail + c).slice(-4000);
      opts.onOutput?.(c, 'stderr');
    });
  }
  return () => stderrTail;
}

/** Folds the runner's events into the report as they come. */
function readEvents(child: ChildProcess, report: LiveReport, onEvent: LaunchOptions['onEvent']): EventDecoder {
  const decoder = new EventDecoder((event) => {
    report.apply(event);
    onEvent?.(event);
  });
  const channel = child.stdio[CHANNEL_FD] as Readable | null;
  channel?.on('data', (chunk: Buffer) => decoder.push(chunk));
  channel?.on('error', () => undefined);
  return decoder;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** How a runner that exited without ending the run ended it. */
function unfinishedEnding(exitCode: number | null, signal: NodeJS.Signals | null, stderrTail: string, memoryLimitMb: number): string {
  // V8 aborts when the heap limit is reached (stderr is only seen when piped).
  const outOfMemory = /heap out of memory|Reached heap limit/i.test(stderrTail) || exitCode === 134 || signal === 'SIGABRT';
  return outOfMemory
    ? `The script ran out of memory (the runner's heap limit is ${memoryLimitMb} MB; raise it with --memory or the tfjsDebugger.memoryLimitMB setting if the model needs more).`
    : `The runner stopped without finishing the run (${signal ? `signal ${signal}` : `exit code ${exitCode}`}).`;
}

/** A run whose runner could not even be spawned: its report says why. */
function failedToStart(report: LiveReport, error: unknown): RunHandle {
  report.end('failed', { message: `Could not start the runner: ${(error as Error)?.message ?? String(error)}`, file: null, line: null, kind: 'internal' }, null);
  return { pid: undefined, done: Promise.resolve({ report: report.finish(), exitCode: null, signal: null }), cancel() {}, interrupt() {} };
}

export function launchRunner(opts: LaunchOptions): RunHandle {
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, ...opts.options };
  const script = path.resolve(opts.cwd ?? process.cwd(), opts.script);
  const report = opts.live ?? new LiveReport(script, opts.args ?? [], options);
  const memoryLimitMb = opts.memoryLimitMb ?? DEFAULT_MEMORY_MB;
  let child: ChildProcess;
  try {
    child = spawnRunner(opts, script, options);
  } catch (e) {
    return failedToStart(report, e);
  }
  const tree = child.pid != null ? new ProcessTree(child.pid) : null;
  track(tree);
  const running = () => child.exitCode == null && child.signalCode == null;
  const killAll = () => { if (running()) tree?.kill(); };
  const stderrTail = readOutput(child, opts);
  const decoder = readEvents(child, report, opts.onEvent);

  const timer = opts.timeoutMs && opts.timeoutMs > 0 ? longTimeout(() => {
    report.end('timed-out', { message: `The script did not finish within ${seconds(opts.timeoutMs as number)}; it was stopped. Raise the timeout if it needs longer.`, file: script, line: null }, null);
    killAll();
  }, opts.timeoutMs) : undefined;
  let grace: NodeJS.Timeout | undefined;
  let interrupted: NodeJS.Signals | null = null;

  const done = new Promise<LaunchResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      timer?.clear();
      if (grace) clearTimeout(grace);
      tree?.stop();
      if (tree) liveTrees.delete(tree);
      if (spawnError) {
        report.end('failed', { message: `Could not start the runner: ${spawnError.message}`, file: null, line: null, kind: 'internal' }, null);
      } else if (report.status === 'running') {
        report.end('failed', { message: unfinishedEnding(exitCode, signal, stderrTail(), memoryLimitMb), file: script, line: null }, exitCode);
      } else if (interrupted) {
        report.noteExit(exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null));
      }
      if (decoder.rejected || decoder.broken) {
        report.apply({ type: 'log', level: 'warn', message: `the runner's event stream held ${decoder.broken ? `${decoder.broken} (the rest was not read)` : `${decoder.rejected} malformed events (dropped)`}` });
      }
      resolve({ report: report.finish(), exitCode, signal });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal));
  });

  return {
    pid: child.pid,
    done,
    cancel() {
      report.end('cancelled', { message: 'The run was stopped.', file: null, line: null }, null);
      killAll();
    },
    interrupt(signal, graceMs = DEFAULT_GRACE_MS) {
      if (interrupted || !running()) {
        if (interrupted) killAll();
        return;
      }
      interrupted = signal;
      report.end('cancelled', { message: `Stopped by ${signal}: the script was sent ${signal}, as it would be without the debugger.`, file: null, line: null }, null);
      tree?.forward(signal);
      grace = setTimeout(killAll, graceMs);
    },
  };
}
