// Starts the runner as a child process and folds its events into a report. The CLI and the extension host
// both start runs through here. The child is its own process group, so Stop and timeouts end everything
// the user's script started too.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { DEFAULT_RUN_OPTIONS, type RunOptions, type RunReport, type RunnerEvent } from '../protocol.ts';
import { ReportBuilder } from '../core/report/reportBuilder.ts';

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
  /** 'inherit' passes the script's output straight through (CLI); 'pipe' hands it to onOutput (extension). */
  stdio?: 'inherit' | 'pipe';
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
  cancel(): void;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killTree(child: ChildProcess): void {
  if (child.pid == null || child.exitCode != null || child.signalCode != null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export function launchRunner(opts: LaunchOptions): RunHandle {
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, ...opts.options };
  const script = path.resolve(opts.cwd ?? process.cwd(), opts.script);
  const builder = new ReportBuilder(script, opts.args ?? [], options);
  const distDir = opts.distDir ?? __dirname;
  const started = Date.now();
  const execArgv = [`--max-old-space-size=${opts.memoryLimitMb ?? 4096}`];
  const runnerArgs = {
    options,
    kind: opts.kind ?? 'script',
    dataFile: opts.dataFile ? path.resolve(opts.cwd ?? process.cwd(), opts.dataFile) : null,
    backend: opts.backend ?? 'auto',
  };
  const child = fork(path.join(distDir, 'runner.js'), [JSON.stringify(runnerArgs), script, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? process.cwd(),
    execPath: opts.execPath,
    execArgv,
    env: opts.env ?? process.env,
    serialization: 'advanced',
    stdio: opts.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const c of live) killTree(c); });
  }

  let stderrTail = '';
  if (opts.stdio === 'pipe') {
    child.stdout?.setEncoding('utf8').on('data', (c: string) => opts.onOutput?.(c, 'stdout'));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderrTail = (stderrTail + c).slice(-4000);
      opts.onOutput?.(c, 'stderr');
    });
  }
  child.on('message', (event: RunnerEvent) => {
    builder.apply(event);
    opts.onEvent?.(event);
  });

  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs && opts.timeoutMs > 0) {
    timer = setTimeout(() => {
      builder.end('timed-out', { message: `The script did not finish within ${seconds(opts.timeoutMs as number)}; it was stopped. Raise the timeout if it needs longer.`, file: script, line: null }, null);
      killTree(child);
    }, opts.timeoutMs);
  }

  const done = new Promise<LaunchResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      live.delete(child);
      killTree(child);
      if (spawnError) {
        builder.end('failed', { message: `Could not start the runner: ${spawnError.message}`, file: null, line: null, kind: 'internal' }, null);
      } else if (builder.status === 'running') {
        // V8 aborts when the heap limit is reached (stderr is only seen when piped).
        const outOfMemory = /heap out of memory|Reached heap limit/i.test(stderrTail) || exitCode === 134 || signal === 'SIGABRT';
        const message = outOfMemory
          ? `The script ran out of memory (the runner's heap limit is ${opts.memoryLimitMb ?? 4096} MB; raise it with --memory or the tfjsDebugger.memoryLimitMb setting if the model needs more).`
          : `The runner stopped without finishing the run (${signal ? `signal ${signal}` : `exit code ${exitCode}`}).`;
        builder.end('failed', { message, file: script, line: null }, exitCode);
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
      killTree(child);
    },
  };
}
