// The runs: the one in progress with its live report (the run's one LiveReport, which launchRunner folds the
// runner's events into), and the history of finished ones, kept across window reloads (up to `maxRuns`, within a
// size budget): an index in workspace state, each report in a RunArchive (files in the workspace's storage
// folder), read back when a view asks for it. Which run the panel shows, and which run each script's editor
// surfaces (Problems, CodeLens) follow, are decided here.
//
// One source for every surface: a run's phase (running, stopping, or how it ended) and its counts come from its
// entry; a phase change is announced at once ('status'), progress at most every PROGRESS_MS ('progress'), so the
// panel, the sidebar and the status bar refresh together and read the same numbers.
// Pure: no vscode import; storage, the archive and timers are injected.
import { isObj } from '../../protocol/checks.ts';
import { isRunReport, REPORT_SCHEMA_VERSION, type RunReport, type RunStatus, type Severity } from '../../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../protocol/runOptions.ts';
import type { RunPhase } from '../../protocol/webviewMessages.ts';
import { LiveReport } from '../../host/liveReport.ts';
import type { BatcherTimers } from './batcher.ts';
import { fileKey } from './locations.ts';
import { Throttle } from './throttle.ts';

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

/** Where finished runs' reports are kept (src/extension/logic/runArchive.ts). */
export interface RunArchive {
  /** The report, or null when it is missing or not a report. */
  load(id: string): RunReport | null;
  /** Writes the report; resolves with its size in characters. */
  save(id: string, report: RunReport): Promise<number>;
  remove(id: string): Promise<void>;
}

export const RUNS_KEY = 'tfjsDebugger.runs';
/** Where the previous version kept its one last run (read once, moved into the history). */
export const LAST_RUN_KEY = 'tfjsDebugger.lastRun';
const INDEX_VERSION = 2;
/** Reports bigger than this (JSON characters) are stored with fewer gradient calls. */
const MAX_STORED_CHARS = 4_000_000;
/** All stored reports together; the oldest runs go first. */
const MAX_ARCHIVE_CHARS = 64_000_000;
/** Reports of finished runs held in memory at once (besides the shown and selected ones). */
const LOADED_RUNS = 4;
export const DEFAULT_RUNS_KEPT = 20;
export const MAX_RUNS_KEPT = 200;
const PROGRESS_MS = 250;
const RUN_ID = /^run-[\w.-]{1,80}$/;

type FinalStatus = Exclude<RunStatus, 'running'>;

/** A finished run in the index: enough for the sidebar without reading its report. */
interface StoredRun {
  id: string;
  request: RunRequest;
  name?: string;
  startedAt: number;
  status: FinalStatus;
  gradientCallCount: number;
  findings: number;
  worst: Severity | null;
  durationMs: number | null;
  chars: number;
}

function worstOf(report: RunReport): Severity | null {
  for (const s of ['error', 'warning', 'info'] as const) if (report.findings.some((f) => f.severity === s)) return s;
  return null;
}

export class RunEntry {
  private final: RunReport | null = null;
  private liveReport: LiveReport | null = null;
  /** For a finished run: its index entry (what the sidebar shows), and whether its report may be read back. */
  private summary: StoredRun | null = null;
  name: string | null = null;

  constructor(
    readonly id: string,
    readonly request: RunRequest,
    readonly startedAt: number,
    /** From an earlier window (reload). */
    readonly restored: boolean,
    report: RunReport | LiveReport | StoredRun,
    private readonly loader: ((id: string) => RunReport | null) | null = null,
  ) {
    if (report instanceof LiveReport) this.liveReport = report;
    else if ('schemaVersion' in report) this.final = report;
    else {
      this.summary = report;
      this.name = report.name ?? null;
    }
  }

  /** The run's report as it goes, while it runs. */
  get live(): LiveReport | null {
    return this.liveReport;
  }

  /** Running; stopping (the host ended it: Stop, the timeout; the runner is being ended); or how it ended. */
  get phase(): RunPhase {
    if (this.liveReport) return this.liveReport.endedByHost ? 'stopping' : 'running';
    return this.final?.status ?? this.summary?.status ?? 'failed';
  }

  get status(): RunStatus {
    return this.liveReport?.status ?? this.final?.status ?? this.summary?.status ?? 'failed';
  }

  /** Not finished yet (running or stopping). */
  get running(): boolean {
    return this.liveReport !== null;
  }

  /** Gradient calls so far (cheap: no report snapshot). */
  get gradientCallCount(): number {
    return this.liveReport?.gradientCallCount ?? this.final?.gradientCallCount ?? this.summary?.gradientCallCount ?? 0;
  }

  /** Findings of a finished run (null while it runs). */
  get findingCount(): number | null {
    if (this.liveReport) return null;
    return this.final?.findings.length ?? this.summary?.findings ?? 0;
  }

  get worst(): Severity | null {
    return this.final ? worstOf(this.final) : this.summary?.worst ?? null;
  }

  get durationMs(): number | null {
    return this.final?.durationMs ?? this.summary?.durationMs ?? null;
  }

  /** Whether report() has the report at hand (else it reads it from the archive). */
  get loaded(): boolean {
    return this.final !== null || this.liveReport !== null;
  }

  /** The report: the live run's snapshot (the same object until it changes), or the finished run's. */
  report(): RunReport {
    if (this.liveReport) return this.liveReport.snapshot();
    if (!this.final) this.final = this.loader?.(this.id) ?? unreadable(this.request, this.summary);
    return this.final;
  }

  /** @internal The run ended: its final report. */
  finish(report: RunReport): void {
    this.final = report;
    this.liveReport = null;
  }

  /** @internal Stored: from now on its report may be let go and read back. */
  archived(summary: StoredRun): void {
    this.summary = summary;
  }

  /** @internal Lets go of the report (it is in the archive). */
  unload(): boolean {
    if (!this.summary || !this.final || !this.loader) return false;
    this.final = null;
    return true;
  }

  /** @internal The index entry. */
  get stored(): StoredRun | null {
    return this.summary && { ...this.summary, ...(this.name ? { name: this.name } : { name: undefined }) };
  }
}

/** The report of a run whose stored report could not be read: its header, and why. */
function unreadable(request: RunRequest, s: StoredRun | null): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION, target: request.target, args: [...request.args], status: s?.status ?? 'failed',
    error: { kind: 'internal', message: 'The saved report of this run could not be read (its file is missing or damaged).', file: null, line: null },
    tfjs: null, options: { ...DEFAULT_RUN_OPTIONS }, startedAt: s ? new Date(s.startedAt).toISOString() : null, durationMs: s?.durationMs ?? null,
    exitCode: null, layers: [], gradientCallCount: s?.gradientCallCount ?? 0, gradientCallsDropped: 0, gradientCalls: [], findings: [], memory: null, logs: [],
  };
}

export type StoreChange =
  /** A run started; the panel shows it. */
  | { type: 'run-start'; run: RunEntry }
  /** A run's counts moved (at most every PROGRESS_MS). */
  | { type: 'progress'; run: RunEntry }
  /** A run's phase changed (Stop pressed, the timeout hit): at once. */
  | { type: 'status'; run: RunEntry }
  | { type: 'run-end'; run: RunEntry }
  /** The panel shows another run. */
  | { type: 'shown'; run: RunEntry | undefined }
  /** Runs renamed, deleted or dropped from the history. */
  | { type: 'runs' }
  | { type: 'cleared' };

export interface RunStoreOptions {
  /** Runs kept, the running one included (the tfjsDebugger.runsKept setting). */
  maxRuns?: number;
  archive?: RunArchive | null;
  now?: () => number;
  timers?: BatcherTimers;
  maxStoredChars?: number;
  maxArchiveChars?: number;
}

export class RunStore {
  private entries: RunEntry[] = [];
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private maxRuns: number;
  private readonly now: () => number;
  private readonly archive: RunArchive | null;
  private readonly maxStoredChars: number;
  private readonly maxArchiveChars: number;
  private readonly timers: BatcherTimers | undefined;
  private seq = 0;
  private shownId: string | null = null;
  /** The run each target's editor surfaces follow, by fileKey(target). */
  private readonly selected = new Map<string, string>();
  /** Finished runs whose reports were read, least recently used first. */
  private readonly loadedOrder: RunEntry[] = [];
  private saving: Promise<void> = Promise.resolve();
  /** What ends a live run's subscriptions when it finishes. */
  private readonly ended = new WeakMap<RunEntry, () => void>();

  constructor(private readonly storage: StateStorage | null = null, opts: RunStoreOptions = {}) {
    this.maxRuns = clampRuns(opts.maxRuns ?? DEFAULT_RUNS_KEPT);
    this.now = opts.now ?? Date.now;
    this.archive = opts.archive ?? null;
    this.timers = opts.timers;
    this.maxStoredChars = opts.maxStoredChars ?? MAX_STORED_CHARS;
    this.maxArchiveChars = opts.maxArchiveChars ?? MAX_ARCHIVE_CHARS;
    this.restore();
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
    return this.entries.find((r) => r.running);
  }

  /** The run the panel shows: the one the user opened, else the newest. */
  get shown(): RunEntry | undefined {
    return (this.shownId ? this.get(this.shownId) : undefined) ?? this.entries[0];
  }

  /** Shows a run in the panel; its script's Problems and CodeLens follow it. */
  show(id: string): RunEntry | undefined {
    const run = this.get(id);
    if (!run) return undefined;
    this.selected.set(fileKey(run.request.target), run.id);
    if (this.shown !== run || this.shownId !== id) {
      this.shownId = id;
      this.emit({ type: 'shown', run });
      // The panel shows it again after a reload.
      if (run.stored) void this.saveIndex();
    }
    return run;
  }

  /** The run each script's editor surfaces follow: the one opened last for it, else its newest. */
  selectedRuns(): RunEntry[] {
    const out: RunEntry[] = [];
    const targets = new Set<string>();
    for (const run of this.entries) {
      const key = fileKey(run.request.target);
      if (targets.has(key)) continue;
      targets.add(key);
      const chosen = this.selected.get(key);
      out.push((chosen ? this.get(chosen) : undefined) ?? run);
    }
    return out;
  }

  /** The run whose layers and findings the editor shows in `file`: the one selected for it when it is a run's
   *  target, else the shown run or the newest selected one that built a layer there. */
  runForFile(file: string): RunEntry | undefined {
    const key = fileKey(file);
    const selected = this.selectedRuns();
    const own = selected.find((r) => fileKey(r.request.target) === key);
    if (own) return own;
    const shown = this.shown;
    const candidates = shown ? [shown, ...selected.filter((r) => r !== shown)] : selected;
    return candidates.find((r) => r.report().layers.some((l) => l.source && fileKey(l.source.file) === key));
  }

  onDidChange(listener: (change: StoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A new run in progress, shown in the panel; `options` are the run options it is launched with (they bound
   *  its history). Its report is `run.live`, for launchRunner to fold the runner's events into. */
  start(request: RunRequest, options: RunOptions = DEFAULT_RUN_OPTIONS): RunEntry {
    if (this.current) throw new Error('A run is already in progress.');
    const started = this.now();
    const id = `run-${started.toString(36)}-${++this.seq}`;
    const live = new LiveReport(request.target, [...request.args], options, this.now);
    const run = new RunEntry(id, { ...request, args: [...request.args] }, started, false, live, (runId) => this.load(runId));
    let phase = run.phase;
    const progress = new Throttle(() => {
      if (run.running) this.emit({ type: 'progress', run });
    }, PROGRESS_MS, this.timers);
    const sub = live.onDidChange(() => {
      if (!run.running) return;
      if (run.phase === phase) {
        progress.request();
        return;
      }
      phase = run.phase;
      progress.cancel();
      this.emit({ type: 'status', run });
    });
    this.ended.set(run, () => {
      progress.dispose();
      sub.dispose();
    });
    this.entries.unshift(run);
    this.shownId = id;
    this.selected.set(fileKey(request.target), id);
    this.trim();
    this.emit({ type: 'run-start', run });
    return run;
  }

  /** Folds runner events into a run in progress (when no launchRunner folds them: launchRunner({live}) does). */
  apply(runId: string, events: Parameters<LiveReport['apply']>[0][]): void {
    const live = this.get(runId)?.live;
    if (live) for (const e of events) live.apply(e);
  }

  /** Ends a run with its final report (from launchRunner) and keeps it in the history. */
  async finish(runId: string, report: RunReport): Promise<void> {
    const run = this.get(runId);
    if (!run?.running) return;
    this.ended.get(run)?.();
    run.finish(report);
    this.emit({ type: 'run-end', run });
    await this.persist(run);
  }

  /** Gives a run a name of the user's (empty: its file name again). */
  async rename(id: string, name: string): Promise<boolean> {
    const run = this.get(id);
    if (!run) return false;
    const clean = name.replace(/[\r\n\t]+/g, ' ').trim().slice(0, 100);
    run.name = clean || null;
    this.emit({ type: 'runs' });
    await this.saveIndex();
    return true;
  }

  /** Deletes a finished run, from the session and from storage. */
  async remove(id: string): Promise<boolean> {
    const run = this.get(id);
    if (!run || run.running) return false;
    const wasShown = this.shown === run;
    this.drop([run]);
    this.emit({ type: 'runs' });
    if (wasShown) this.emit({ type: 'shown', run: this.shown });
    await this.saveIndex();
    return true;
  }

  /** Forgets every finished run, in the session and in storage. A run in progress stays. */
  async clear(): Promise<void> {
    this.drop(this.entries.filter((r) => !r.running));
    this.emit({ type: 'cleared' });
    await this.saveIndex();
  }

  /** The tfjsDebugger.runsKept setting changed. */
  async setMaxRuns(n: number): Promise<void> {
    this.maxRuns = clampRuns(n);
    if (this.trim()) {
      this.emit({ type: 'runs' });
      await this.saveIndex();
    }
  }

  /** Waits until what was written so far is in storage (tests, deactivation). */
  flushed(): Promise<void> {
    return this.saving;
  }

  // ---- storage -------------------------------------------------------------------------------------------

  private restore(): void {
    const index = this.storage?.get(RUNS_KEY);
    const stored = isObj(index) && index.version === INDEX_VERSION && Array.isArray(index.runs) ? index.runs.filter(isStoredRun) : [];
    if (stored.length && this.archive) {
      for (const s of stored.slice(0, this.maxRuns)) this.entries.push(new RunEntry(s.id, s.request, s.startedAt, true, s, (id) => this.load(id)));
      const shown = (index as { shown?: unknown }).shown;
      if (typeof shown === 'string' && this.get(shown)) this.shownId = shown;
      return;
    }
    // The previous version's one last run.
    const legacy = parseLegacyRun(this.storage?.get(LAST_RUN_KEY));
    if (legacy) {
      const run = new RunEntry(legacy.id, legacy.request, Date.parse(legacy.report.startedAt ?? '') || 0, true, legacy.report, (id) => this.load(id));
      this.entries.push(run);
      if (this.archive) void this.persist(run).then(() => this.storage?.update(LAST_RUN_KEY, undefined));
    }
  }

  /** Reads a finished run's report back; lets go of the least recently read ones. */
  private load(id: string): RunReport | null {
    const report = this.archive?.load(id) ?? null;
    const run = this.get(id);
    if (report && run) this.touch(run);
    return report;
  }

  /** Notes that a finished run's report is in memory, and lets go of the least recently read ones. */
  private touch(run: RunEntry): void {
    const at = this.loadedOrder.indexOf(run);
    if (at >= 0) this.loadedOrder.splice(at, 1);
    this.loadedOrder.push(run);
    const keep = new Set([this.shown, ...this.selectedRuns()]);
    while (this.loadedOrder.length > LOADED_RUNS) {
      const i = this.loadedOrder.findIndex((r) => !keep.has(r));
      if (i < 0) break;
      this.loadedOrder.splice(i, 1)[0].unload();
    }
  }

  private persist(run: RunEntry): Promise<void> {
    const report = run.report();
    const summary: StoredRun = {
      id: run.id, request: run.request, startedAt: run.startedAt, status: report.status === 'running' ? 'failed' : report.status,
      gradientCallCount: report.gradientCallCount, findings: report.findings.length, worst: worstOf(report), durationMs: report.durationMs, chars: 0,
    };
    const archive = this.archive;
    if (!archive) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      try {
        summary.chars = await archive.save(run.id, fitForStorage(report, this.maxStoredChars));
      } catch (e) {
        console.error(`tfjsDebugger: could not store run ${run.id}`, e);
        return;
      }
      if (!this.get(run.id)) {
        await archive.remove(run.id).catch(() => undefined);
        return;
      }
      run.archived(summary);
      this.touch(run);
      if (this.trim()) this.emit({ type: 'runs' });
      await this.writeIndex();
    });
    return this.saving;
  }

  private saveIndex(): Promise<void> {
    this.saving = this.saving.then(() => this.writeIndex());
    return this.saving;
  }

  private async writeIndex(): Promise<void> {
    const runs = this.entries.map((r) => r.stored).filter((s): s is StoredRun => s !== null);
    try {
      const shown = this.shownId && runs.some((r) => r.id === this.shownId) ? { shown: this.shownId } : {};
      await this.storage?.update(RUNS_KEY, { version: INDEX_VERSION, runs, ...shown });
    } catch (e) {
      console.error('tfjsDebugger: could not store the list of runs', e);
    }
  }

  /** Drops the oldest finished runs beyond the count and the size budget. Returns whether any went. */
  private trim(): boolean {
    const out: RunEntry[] = [];
    let chars = 0;
    this.entries.forEach((run, i) => {
      chars += run.stored?.chars ?? 0;
      if (!run.running && i > 0 && (i >= this.maxRuns || chars > this.maxArchiveChars)) out.push(run);
    });
    this.drop(out);
    return out.length > 0;
  }

  private drop(runs: RunEntry[]): void {
    if (runs.length === 0) return;
    const gone = new Set(runs);
    this.entries = this.entries.filter((r) => !gone.has(r));
    for (const run of runs) {
      const i = this.loadedOrder.indexOf(run);
      if (i >= 0) this.loadedOrder.splice(i, 1);
      if (this.shownId === run.id) this.shownId = null;
      const key = fileKey(run.request.target);
      if (this.selected.get(key) === run.id) this.selected.delete(key);
      const archive = this.archive;
      if (archive) this.saving = this.saving.then(() => archive.remove(run.id)).catch(() => undefined);
    }
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

function clampRuns(n: number): number {
  return Number.isInteger(n) ? Math.min(MAX_RUNS_KEPT, Math.max(1, n)) : DEFAULT_RUNS_KEPT;
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

function isRequest(q: unknown): q is RunRequest {
  const r = q as RunRequest;
  return isObj(q) && (r.kind === 'script' || r.kind === 'probe' || r.kind === 'page') && typeof r.target === 'string' && typeof r.cwd === 'string' &&
    Array.isArray(r.args) && r.args.every((a) => typeof a === 'string') && [r.dataFile, r.pageRoot, r.viteApp].every((f) => f === undefined || typeof f === 'string') &&
    (r.env === undefined || (isObj(r.env) && Object.values(r.env).every((v) => typeof v === 'string'))) && (r.settings === undefined || isObj(r.settings));
}

const FINAL: readonly string[] = ['completed', 'failed', 'timed-out', 'cancelled'];

function isStoredRun(x: unknown): x is StoredRun {
  const s = x as StoredRun;
  return isObj(x) && typeof s.id === 'string' && RUN_ID.test(s.id) && isRequest(s.request) && (s.name === undefined || typeof s.name === 'string') &&
    Number.isFinite(s.startedAt) && FINAL.includes(s.status) && Number.isInteger(s.gradientCallCount) && Number.isInteger(s.findings) &&
    (s.worst === null || s.worst === 'error' || s.worst === 'warning' || s.worst === 'info') && (s.durationMs === null || Number.isFinite(s.durationMs)) &&
    Number.isFinite(s.chars);
}

function parseLegacyRun(x: unknown): { id: string; request: RunRequest; report: RunReport } | null {
  const s = x as { version?: unknown; id?: unknown; request?: unknown; report?: unknown };
  if (!isObj(x) || s.version !== 1 || typeof s.id !== 'string' || !RUN_ID.test(s.id) || !isRequest(s.request)) return null;
  if (!isRunReport(s.report) || s.report.status === 'running') return null;
  return { id: s.id, request: s.request, report: s.report };
}
