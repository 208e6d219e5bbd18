// The panel's state: the report shown, the live run being folded from events, the selected layer and the
// table's sort order. Live events are folded into a ReportBuilder (the same one the CLI and the host use)
// and published at most ~20 times a second.
import type { RunReport } from '../src/protocol/report.ts';
import type { RunnerEvent } from '../src/protocol/runnerEvents.ts';
import { ReportBuilder } from '../src/model/reportBuilder.ts';
import type { SortState } from './components/layer-table.ts';
import { perfMark } from './perf.ts';
import { frameThrottle } from './throttle.ts';

export interface PanelSnapshot {
  report: RunReport | null;
  selectedLayer: number | null;
  sort: SortState | null;
}

type Listener = (snapshot: PanelSnapshot) => void;

/** A builder that continues a report restored mid-run. */
function builderFromReport(r: RunReport): ReportBuilder {
  const b = new ReportBuilder(r.target, r.args, r.options);
  if (r.tfjs) {
    b.apply({ type: 'run-start', target: r.target, args: r.args, cwd: '', tfjs: r.tfjs, options: r.options, pid: 0, startedAt: r.startedAt ?? '' });
  }
  b.apply({ type: 'layers', layers: r.layers });
  for (const call of r.gradientCalls) b.apply({ type: 'gradient-call', call });
  for (const log of r.logs) {
    const m = /^(info|warn): ([\s\S]*)$/.exec(log);
    b.apply({ type: 'log', level: (m?.[1] as 'info' | 'warn') ?? 'info', message: m?.[2] ?? log });
  }
  if (r.error) b.apply({ type: 'error', error: r.error });
  if (r.layerTotals) b.continueTotals(r.layerTotals);
  return b;
}

function elapsed(startedAt: string | null): number | null {
  const t = startedAt ? Date.parse(startedAt) : NaN;
  return Number.isFinite(t) ? Math.max(0, Date.now() - t) : null;
}

export class PanelStore {
  private state: PanelSnapshot;
  private builder: ReportBuilder | null = null;
  /** When the live run started, and how long it took once it ended. */
  private liveStartedAt: string | null = null;
  private liveDuration: number | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly publisher = frameThrottle(() => this.publish());

  constructor(initial: Partial<PanelSnapshot> = {}) {
    this.state = { report: initial.report ?? null, selectedLayer: initial.selectedLayer ?? null, sort: initial.sort ?? null };
  }

  get snapshot(): PanelSnapshot {
    return this.state;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Replaces the report (a `report` or `run-ended` message). */
  setReport(report: RunReport | null): void {
    perfMark('publish'); // bench/webview.ts timing hook; no-op in a real panel
    this.publisher.cancel();
    this.builder = report && report.status === 'running' ? builderFromReport(report) : null;
    this.liveStartedAt = report?.startedAt ?? null;
    this.liveDuration = null;
    const sameRun = report && this.state.report && report.target === this.state.report.target && report.startedAt === this.state.report.startedAt;
    const keepSelection = sameRun || (report && this.state.selectedLayer != null && report.layers.some((l) => l.id === this.state.selectedLayer));
    this.set({ report, selectedLayer: keepSelection ? this.state.selectedLayer : null });
  }

  /** Folds live runner events; the report is republished on the next frame. */
  applyEvents(events: RunnerEvent[]): void {
    for (const event of events) {
      if (event.type === 'run-start') {
        this.builder = new ReportBuilder(event.target, event.args, event.options);
        this.liveStartedAt = event.startedAt;
        this.liveDuration = null;
        this.state = { ...this.state, selectedLayer: null };
      } else if (!this.builder) {
        this.builder = this.state.report ? builderFromReport(this.state.report) : new ReportBuilder('', []);
        this.liveStartedAt = this.state.report?.startedAt ?? null;
      }
      this.builder.apply(event);
      if (event.type === 'run-end') this.liveDuration = elapsed(this.liveStartedAt);
    }
    this.publisher.schedule();
  }

  select(layer: number | null): void {
    if (layer === this.state.selectedLayer) return;
    this.set({ selectedLayer: layer });
  }

  setSort(sort: SortState | null): void {
    this.set({ sort });
  }

  /** Publishes pending events now (tests, and before the state is saved). */
  flush(): void {
    this.publisher.flush();
  }

  private publish(): void {
    perfMark('publish'); // bench/webview.ts timing hook; no-op in a real panel
    if (!this.builder) return;
    const running = this.builder.status === 'running';
    const report = this.builder.report(running ? elapsed(this.liveStartedAt) : this.liveDuration);
    this.set({ report });
  }

  private set(patch: Partial<PanelSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }
}
