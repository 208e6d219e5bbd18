// Folds the runner's event stream into a RunReport (JSON schema version 1). Used by the CLI and the
// extension host alike; pure, so it runs anywhere.
import { REPORT_SCHEMA_VERSION, type GradientCallRecord, type LayerInfo, type LayerTotals, type RunError, type RunReport, type RunStatus } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { diagnose } from './diagnose/index.ts';
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

export class ReportBuilder {
  private readonly layers = new Map<number, LayerInfo>();
  private readonly history: BoundedHistory<GradientCallRecord>;
  private readonly totals = new Map<number, LayerTotals>();
  private readonly base: RunReport;

  constructor(target: string, args: string[], options: RunOptions = DEFAULT_RUN_OPTIONS) {
    this.history = BoundedHistory.forSize(options.historySize, {
      weight: (c) => c.layers.length + c.weights.length, thin: thinCall, budget: DETAIL_BUDGET,
    });
    this.base = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      target, args, status: 'running', error: null, tfjs: null, options,
      startedAt: null, durationMs: null, exitCode: null,
      layers: [], gradientCallCount: 0, gradientCallsDropped: 0, gradientCalls: [], findings: [], memory: null, logs: [],
    };
  }

  apply(event: RunnerEvent): void {
    const r = this.base;
    switch (event.type) {
      case 'run-start':
        r.target = event.target;
        r.args = event.args;
        r.tfjs = event.tfjs;
        r.options = event.options;
        r.startedAt = event.startedAt;
        break;
      case 'layers':
        for (const layer of event.layers) this.layers.set(layer.id, layer);
        break;
      case 'gradient-call':
        addCallToTotals(this.totals, event.call);
        this.history.push(event.call);
        r.gradientCallCount = Math.max(r.gradientCallCount, event.call.index);
        break;
      case 'log':
        if (r.logs.length < MAX_LOGS) r.logs.push(`${event.level}: ${event.message}`);
        break;
      case 'leak-sites':
        r.leakSites = event.sites;
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

  /** Carries on the totals of a report this builder continues (they cover calls its history no longer has). */
  continueTotals(totals: LayerTotals[]): void {
    this.totals.clear();
    for (const t of totals) this.totals.set(t.layer, { ...t });
  }

  /** Ends the run from the host's side (timeout, cancel, a runner that died without saying why). */
  end(status: Exclude<RunStatus, 'running'>, error: RunError | null, exitCode: number | null): void {
    if (this.base.status !== 'running') return;
    this.base.status = status;
    this.base.error = error ?? this.base.error;
    this.base.exitCode = exitCode;
  }

  /** The runner's exit status, when no run-end event gave one (a runner ended by a signal). */
  noteExit(exitCode: number | null): void {
    if (this.base.exitCode == null) this.base.exitCode = exitCode;
  }

  get status(): RunStatus {
    return this.base.status;
  }

  /** A snapshot of the report, with findings from the diagnosis rules. */
  report(durationMs: number | null = null): RunReport {
    const report: RunReport = {
      ...this.base,
      durationMs: durationMs ?? this.base.durationMs,
      layers: [...this.layers.values()].sort((a, b) => a.id - b.id),
      gradientCalls: this.history.items(),
      gradientCallsDropped: this.history.dropped,
      layerTotals: [...this.totals.values()].sort((a, b) => a.layer - b.layer).map((t) => ({ ...t })),
      logs: [...this.base.logs],
    };
    report.findings = diagnose(report);
    return report;
  }
}
