// Folds the runner's event stream into a RunReport (JSON schema version 1), and says what changed between two
// versions of it (a ReportUpdate), so that a live view is sent what changed, not the whole report. Pure, so it
// runs anywhere; the host's one fold of a run (src/host/liveReport.ts) owns one and adds the diagnosis.
import { REPORT_SCHEMA_VERSION, type GradientCallRecord, type LayerInfo, type LayerTotals, type RunError, type RunReport, type RunStatus } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import type { ReportHeader, ReportUpdate } from '../protocol/webviewMessages.ts';
import { BoundedHistory } from './history.ts';
import { addCallToTotals } from './layerTotals.ts';

const MAX_LOGS = 200;
/** Layer and weight records the history keeps in full: 1,000 calls of a 10-layer model, or 40 of a 250-layer one. */
export const DETAIL_BUDGET = 20_000;

/** A call without its per-layer detail, except the first layer that saw NaN or Inf (where they came in). */
function thinCall(call: GradientCallRecord): GradientCallRecord {
  const firstNonFinite = call.layers.find((r) => r.nonFinite > 0);
  return { ...call, layers: firstNonFinite ? [firstNonFinite] : [], weights: [], thinned: true };
}

/** Ascending indexes as inclusive ranges: [1, 2, 3, 7, 8] → [[1, 3], [7, 8]]. */
export function indexRanges(indexes: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of indexes) {
    const last = out[out.length - 1];
    if (last && i === last[1] + 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

export class ReportBuilder {
  private readonly layers = new Map<number, LayerInfo>();
  private readonly history: BoundedHistory<GradientCallRecord>;
  private readonly totals = new Map<number, LayerTotals>();
  /** The report's own fields, and its logs and leak sites. */
  private readonly base: RunReport;
  /** Counts the changes; each layer, kept call and layer total remembers the version that last changed it. */
  private current = 0;
  private readonly changedAt = new WeakMap<object, number>();
  private readonly logVersions: number[] = [];
  private leakSitesAt = 0;

  constructor(target: string, args: string[], options: RunOptions = DEFAULT_RUN_OPTIONS) {
    this.history = BoundedHistory.forSize(options.historySize, {
      weight: (c) => c.layers.length + c.weights.length, thin: (c) => this.stamp(thinCall(c)), budget: DETAIL_BUDGET,
    });
    this.base = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      target, args, status: 'running', error: null, tfjs: null, options,
      startedAt: null, durationMs: null, exitCode: null,
      layers: [], gradientCallCount: 0, gradientCallsDropped: 0, gradientCalls: [], findings: [], memory: null, logs: [],
    };
  }

  /** The version of the report now: 0 before anything, one more with every change. */
  get version(): number {
    return this.current;
  }

  get status(): RunStatus {
    return this.base.status;
  }

  get gradientCallCount(): number {
    return this.base.gradientCallCount;
  }

  apply(event: RunnerEvent): void {
    const r = this.base;
    this.current++;
    switch (event.type) {
      case 'run-start':
        r.target = event.target;
        r.args = event.args;
        r.tfjs = event.tfjs;
        r.options = event.options;
        r.startedAt = event.startedAt;
        break;
      case 'layers':
        for (const layer of event.layers) this.layers.set(layer.id, this.stamp(layer));
        break;
      case 'gradient-call':
        for (const layer of addCallToTotals(this.totals, event.call)) this.stamp(layer);
        this.history.push(this.stamp(event.call));
        r.gradientCallCount = Math.max(r.gradientCallCount, event.call.index);
        break;
      case 'backend-check':
        // It follows its call's record; a call the history has dropped since keeps nothing.
        this.history.update((c) => c.index === event.index, (c) => this.stamp({ ...c, backendCheck: event.check }));
        break;
      case 'calls-started':
        r.gradientCallCount = Math.max(r.gradientCallCount, event.count);
        if (r.tfjs && event.backend && r.tfjs.backend !== event.backend) r.tfjs = { ...r.tfjs, backend: event.backend };
        break;
      case 'log':
        if (r.logs.length < MAX_LOGS) {
          r.logs.push(`${event.level}: ${event.message}`);
          this.logVersions.push(this.current);
        }
        break;
      case 'leak-sites':
        r.leakSites = event.sites;
        this.leakSitesAt = this.current;
        break;
      case 'kernel-fallback':
        if (r.tfjs && !r.tfjs.fallbackKernels?.includes(event.kernel)) {
          r.tfjs = { ...r.tfjs, fallbackKernels: [...(r.tfjs.fallbackKernels ?? []), event.kernel] };
        }
        break;
      case 'error':
        if (r.status === 'running') r.error = event.error;
        break;
      case 'run-end':
        // A run the host already ended (timeout, Stop, a signal) keeps the host's status and message.
        if (r.status === 'running') {
          r.status = event.status;
          r.error = event.error ?? r.error;
        }
        r.exitCode = event.exitCode;
        r.memory = event.memory;
        r.gradientCallCount = Math.max(r.gradientCallCount, event.gradientCallCount);
        if (r.tfjs && event.backend) r.tfjs = { ...r.tfjs, backend: event.backend };
        break;
    }
  }

  /** Ends the run from the host's side (timeout, cancel, a runner that died without saying why). Returns
   *  whether it ended it (a run that has ended already keeps its ending). */
  end(status: Exclude<RunStatus, 'running'>, error: RunError | null, exitCode: number | null): boolean {
    if (this.base.status !== 'running') return false;
    this.current++;
    this.base.status = status;
    this.base.error = error ?? this.base.error;
    this.base.exitCode = exitCode;
    return true;
  }

  /** The runner's exit status, when no run-end event gave one (a runner ended by a signal). Returns whether it
   *  was taken. */
  noteExit(exitCode: number | null): boolean {
    if (this.base.exitCode != null) return false;
    this.current++;
    this.base.exitCode = exitCode;
    return true;
  }

  /** How long the run took. */
  setDuration(ms: number): void {
    this.current++;
    this.base.durationMs = ms;
  }

  /** The report now, without findings (the diagnosis is its owner's to add). */
  report(): RunReport {
    return {
      ...this.header(),
      layers: [...this.layers.values()].sort((a, b) => a.id - b.id),
      gradientCalls: this.history.items(),
      layerTotals: [...this.totals.values()].sort((a, b) => a.layer - b.layer).map((t) => ({ ...t })),
      ...(this.base.leakSites ? { leakSites: this.base.leakSites } : {}),
      findings: [],
      logs: [...this.base.logs],
    };
  }

  /** What changed since version `from` (0: the whole report), without findings. */
  changesSince(from: number): Omit<ReportUpdate, 'findings'> {
    const changed = (x: object) => (this.changedAt.get(x) ?? 0) > from;
    const calls = this.history.items();
    const firstLog = this.logVersions.findIndex((v) => v > from);
    return {
      from,
      to: this.current,
      header: this.header(),
      layers: [...this.layers.values()].filter(changed),
      callRanges: indexRanges(calls.map((c) => c.index)),
      calls: calls.filter(changed),
      layerTotals: [...this.totals.values()].filter(changed).map((t) => ({ ...t })),
      ...(this.base.leakSites && this.leakSitesAt > from ? { leakSites: this.base.leakSites } : {}),
      logs: firstLog < 0 ? [] : this.base.logs.slice(firstLog),
    };
  }

  private header(): ReportHeader {
    const { layers: _l, gradientCalls: _c, layerTotals: _t, leakSites: _s, findings: _f, logs: _g, ...header } = this.base;
    return { ...header, gradientCallsDropped: this.history.dropped };
  }

  /** Notes that `x` changed in the current version. */
  private stamp<T extends object>(x: T): T {
    this.changedAt.set(x, this.current);
    return x;
  }
}
