// The runs of this session: which one is running, its live report, the finished ones (bounded), and the last
// finished report persisted so hovers, diagnostics and the panel come back after a reload.
// Pure: no vscode import; storage is injected (the extension backs it with context.workspaceState).
import { isRunReport, type RunReport, type RunStatus } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { ReportBuilder } from '../model/reportBuilder.ts';

export type RunKind = 'script' | 'probe';

/** What to run; enough to run it again. */
export interface RunRequest {
  kind: RunKind;
  /** Absolute path of the script, or of the model.json to probe. */
  target: string;
  args: string[];
  cwd: string;
  /** Probe input data, for kind 'probe'. */
  dataFile?: string;
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
  private builder: ReportBuilder | null;
  private final: RunReport | null;
  private cached: RunReport | null = null;
  private liveCalls = 0;

  constructor(
    readonly id: string,
    readonly request: RunRequest,
    readonly startedAt: number,
    readonly restored: boolean,
    final: RunReport | null = null,
    options: RunOptions = DEFAULT_RUN_OPTIONS,
  ) {
    this.final = final;
    this.builder = final ? null : new ReportBuilder(request.target, request.args, options);
  }

  get status(): RunStatus {
    return this.final?.status ?? this.builder?.status ?? 'running';
  }

  get running(): boolean {
    return this.final === null;
  }

  /** Gradient calls so far (cheap: no report snapshot). */
  get gradientCallCount(): number {
    return this.final?.gradientCallCount ?? this.liveCalls;
  }

  /** The report: the final one, or a snapshot of the live run (cached until the next event). */
  report(): RunReport {
    if (this.final) return this.final;
    this.cached ??= (this.builder as ReportBuilder).report(Date.now() - this.startedAt);
    return this.cached;
  }

  /** @internal */
  apply(event: RunnerEvent): void {
    if (!this.builder) return;
    this.builder.apply(event);
    if (event.type === 'gradient-call') this.liveCalls = Math.max(this.liveCalls, event.call.index);
    this.cached = null;
  }

  /** @internal */
  finish(report: RunReport): void {
    this.final = report;
    this.builder = null;
    this.cached = null;
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

  /** A new run in progress; `options` are the run options it was launched with (they bound its history). */
  start(request: RunRequest, options: RunOptions = DEFAULT_RUN_OPTIONS): RunEntry {
    if (this.current) throw new Error('A run is already in progress.');
    const id = `run-${this.now().toString(36)}-${++this.seq}`;
    const run = new RunEntry(id, { ...request, args: [...request.args] }, this.now(), false, null, options);
    this.entries.unshift(run);
    if (this.entries.length > this.maxRuns) this.entries.length = this.maxRuns;
    this.emit({ type: 'run-start', run });
    return run;
  }

  /** A batch of runner events of a run in progress (one or more). */
  apply(runId: string, events: RunnerEvent[]): void {
    const run = this.get(runId);
    if (!run?.running || events.length === 0) return;
    for (const e of events) run.apply(e);
    this.emit({ type: 'events', run, events });
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
  if (typeof q !== 'object' || q === null || (q.kind !== 'script' && q.kind !== 'probe') || typeof q.target !== 'string' ||
    !Array.isArray(q.args) || !q.args.every((a) => typeof a === 'string') || typeof q.cwd !== 'string') return null;
  if (!isRunReport(s.report) || s.report.status === 'running') return null;
  return s;
}
