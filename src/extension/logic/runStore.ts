// The runs of this session: which one is running, its live report (the run's one LiveReport, which
// launchRunner folds the runner's events into), the finished ones (bounded), and the last finished report
// persisted so hovers, diagnostics and the panel come back after a reload.
// Pure: no vscode import; storage is injected (the extension backs it with context.workspaceState).
import { isRunReport, type RunReport, type RunStatus } from '../../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../protocol/runOptions.ts';
import type { RunnerEvent } from '../../protocol/runnerEvents.ts';
import { LiveReport } from '../../host/liveReport.ts';

export type RunKind = 'script' | 'probe' | 'page';

/** What to run; enough to run it again. */
export interface RunRequest {
  kind: RunKind;
  /** Absolute path of the script, or of the model.json to probe. */
  target: string;
  args: string[];
  cwd: string;
  /** Probe input data, for kind 'probe'. */
  dataFile?: string;
  /** For kind 'page' (target: a URL or an .html file): the folder the page's sources are mapped to, and the Vite
   *  app whose dev server to start (target is then its URL once started). */
  pageRoot?: string;
  viteApp?: string;
  /** From a launch configuration: added to the script's environment, and settings (by their name under
   *  tfjsDebugger.) that override the workspace's for this run. */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
}

/** The part of VS Code's Memento the store uses. */
export interface StateStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const LAST_RUN_KEY = 'tfjsDebugger.lastRun';
const STORAGE_VERSION = 1;
/** Reports bigger than this (JSON characters) are stored with fewer gradient calls. */
const MAX_STORED_CHARS = 4_000_000;

interface StoredRun {
  version: number;
  id: string;
  request: RunRequest;
  report: RunReport;
}

export class RunEntry {
  private final: RunReport | null;
  private liveReport: LiveReport | null;

  constructor(
    readonly id: string,
    readonly request: RunRequest,
    readonly startedAt: number,
    readonly restored: boolean,
    /** The final report of a finished run, or the live one of a run in progress. */
    report: RunReport | LiveReport,
  ) {
    this.final = report instanceof LiveReport ? null : report;
    this.liveReport = report instanceof LiveReport ? report : null;
  }

  /** The run's report as it goes, while it runs. */
  get live(): LiveReport | null {
    return this.liveReport;
  }

  get status(): RunStatus {
    return this.final?.status ?? this.liveReport?.status ?? 'running';
  }

  get running(): boolean {
    return this.final === null;
  }

  /** Gradient calls so far (cheap: no report snapshot). */
  get gradientCallCount(): number {
    return this.final?.gradientCallCount ?? this.liveReport?.gradientCallCount ?? 0;
  }

  /** The report: the final one, or the live run's snapshot (the same object until it changes). */
  report(): RunReport {
    return this.final ?? (this.liveReport as LiveReport).snapshot();
  }

  /** @internal */
  finish(report: RunReport): void {
    this.final = report;
    this.liveReport = null;
  }
}

export type StoreChange =
  | { type: 'run-start'; run: RunEntry }
  | { type: 'events'; run: RunEntry; events: RunnerEvent[] }
  | { type: 'run-end'; run: RunEntry }
  | { type: 'cleared' };

export interface RunStoreOptions {
  /** Runs kept in the session, the running one included. */
  maxRuns?: number;
  now?: () => number;
  maxStoredChars?: number;
}

export class RunStore {
  private entries: RunEntry[] = [];
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly maxRuns: number;
  private readonly now: () => number;
  private readonly maxStoredChars: number;
  private seq = 0;

  constructor(private readonly storage: StateStorage | null = null, opts: RunStoreOptions = {}) {
    this.maxRuns = Math.max(1, opts.maxRuns ?? 20);
    this.now = opts.now ?? Date.now;
    this.maxStoredChars = opts.maxStoredChars ?? MAX_STORED_CHARS;
    const stored = storage ? parseStoredRun(storage.get(LAST_RUN_KEY)) : null;
    if (stored) this.entries.push(new RunEntry(stored.id, stored.request, Date.parse(stored.report.startedAt ?? '') || 0, true, stored.report));
  }

  /** Newest first. */
  runs(): readonly RunEntry[] {
    return this.entries;
  }

  get(id: string): RunEntry | undefined {
    return this.entries.find((r) => r.id === id);
  }

  /** The run in progress, if any. */
  get current(): RunEntry | undefined {
    const newest = this.entries[0];
    return newest?.running ? newest : undefined;
  }

  /** The run the views show: the one in progress, else the newest. */
  get shown(): RunEntry | undefined {
    return this.entries[0];
  }

  onDidChange(listener: (change: StoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A new run in progress; `options` are the run options it is launched with (they bound its history). Its
   *  report is `run.live`, for launchRunner to fold the runner's events into. */
  start(request: RunRequest, options: RunOptions = DEFAULT_RUN_OPTIONS): RunEntry {
    if (this.current) throw new Error('A run is already in progress.');
    const id = `run-${this.now().toString(36)}-${++this.seq}`;
    const live = new LiveReport(request.target, [...request.args], options, this.now);
    const run = new RunEntry(id, { ...request, args: [...request.args] }, this.now(), false, live);
    live.onDidChange((event) => {
      if (run.running) this.emit({ type: 'events', run, events: event ? [event] : [] });
    });
    this.entries.unshift(run);
    if (this.entries.length > this.maxRuns) this.entries.length = this.maxRuns;
    this.emit({ type: 'run-start', run });
    return run;
  }

  /** Folds runner events into a run in progress (when no launchRunner folds them: launchRunner({live}) does). */
  apply(runId: string, events: RunnerEvent[]): void {
    const live = this.get(runId)?.live;
    if (live) for (const e of events) live.apply(e);
  }

  /** Ends a run with its final report (from launchRunner) and persists it. */
  async finish(runId: string, report: RunReport): Promise<void> {
    const run = this.get(runId);
    if (!run?.running) return;
    run.finish(report);
    this.emit({ type: 'run-end', run });
    await this.persist(run);
  }

  /** Forgets every finished run, in the session and in storage. A run in progress stays. */
  async clear(): Promise<void> {
    this.entries = this.entries.filter((r) => r.running);
    this.emit({ type: 'cleared' });
    await this.storage?.update(LAST_RUN_KEY, undefined);
  }

  private async persist(run: RunEntry): Promise<void> {
    if (!this.storage) return;
    const stored: StoredRun = { version: STORAGE_VERSION, id: run.id, request: run.request, report: fitForStorage(run.report(), this.maxStoredChars) };
    await this.storage.update(LAST_RUN_KEY, stored);
  }

  private emit(change: StoreChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (e) {
        console.error('tfjsDebugger: a RunStore listener failed', e);
      }
    }
  }
}

/** Keeps a report under `maxChars` of JSON by dropping the oldest kept gradient calls (counted as dropped). */
export function fitForStorage(report: RunReport, maxChars: number): RunReport {
  if (JSON.stringify(report).length <= maxChars) return report;
  let calls = report.gradientCalls;
  while (calls.length > 0) {
    calls = calls.slice(Math.ceil(calls.length / 2));
    const trimmed = { ...report, gradientCalls: calls, gradientCallsDropped: report.gradientCallsDropped + report.gradientCalls.length - calls.length };
    if (JSON.stringify(trimmed).length <= maxChars) return trimmed;
  }
  return { ...report, gradientCalls: [], gradientCallsDropped: report.gradientCallsDropped + report.gradientCalls.length, logs: [] };
}

function parseStoredRun(x: unknown): StoredRun | null {
  const s = x as StoredRun;
  if (typeof s !== 'object' || s === null || s.version !== STORAGE_VERSION || typeof s.id !== 'string') return null;
  const q = s.request;
  if (typeof q !== 'object' || q === null || (q.kind !== 'script' && q.kind !== 'probe' && q.kind !== 'page') || typeof q.target !== 'string' ||
    !Array.isArray(q.args) || !q.args.every((a) => typeof a === 'string') || typeof q.cwd !== 'string') return null;
  if (!isRunReport(s.report) || s.report.status === 'running') return null;
  return s;
}
