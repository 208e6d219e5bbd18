// The panel's state: the report shown, where its run is (running, stopping, how it ended: the host's one phase,
// which every surface shows), the selected layer, the table's sort order, and a comparison of two runs when one is
// open. A live run's report is kept current by the host's updates (what changed since the version the panel holds:
// src/model/reportUpdate.ts), published at most once a frame; a phase change is published at once. The panel folds
// no runner events and diagnoses nothing itself.
import type { RunReport } from '../src/protocol/report.ts';
import type { PanelRun, ReportUpdate, RunComparison, RunPhase } from '../src/protocol/webviewMessages.ts';
import { applyReportUpdate } from '../src/model/reportUpdate.ts';
import type { SortState } from './components/layer-table.ts';
import { frameThrottle } from './throttle.ts';

export interface PanelSnapshot {
  report: RunReport | null;
  /** The run's phase as the host has it (absent: the report's status, e.g. in the offline report). */
  phase: RunPhase | null;
  selectedLayer: number | null;
  sort: SortState | null;
  comparison: RunComparison | null;
}

type Listener = (snapshot: PanelSnapshot) => void;

export class PanelStore {
  private state: PanelSnapshot;
  /** The version of the host's live report the shown one is at; 0 when it is not live. */
  private version = 0;
  /** The report updates have brought, not published yet. */
  private pending: RunReport | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly publisher = frameThrottle(() => this.publish());

  constructor(initial: Partial<PanelSnapshot> = {}) {
    this.state = {
      report: initial.report ?? null, phase: initial.phase ?? null, selectedLayer: initial.selectedLayer ?? null, sort: initial.sort ?? null,
      comparison: initial.comparison ?? null,
    };
  }

  get snapshot(): PanelSnapshot {
    return this.state;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Replaces the report (a `report` or `run-ended` message); `version` is the live report's, when it is live. */
  setReport(report: RunReport | null, version = 0, run?: PanelRun): void {
    this.publisher.cancel();
    this.pending = null;
    this.version = version;
    this.show(report, run?.phase ?? report?.status ?? null);
  }

  /** Two runs side by side (null: back to the run). */
  setComparison(comparison: RunComparison | null): void {
    this.set({ comparison });
  }

  /** What changed in the live run; the report is republished on the next frame. An update that does not follow
   *  from the version held is dropped (the host sends the whole report again after `ready`). */
  applyUpdate(update: ReportUpdate, run?: PanelRun): void {
    if (update.from !== 0 && update.from !== this.version) return;
    const base = this.pending ?? this.state.report;
    const report = applyReportUpdate(base, update);
    this.version = update.to;
    if (update.from === 0) {
      // A run from the start: it replaces whatever was shown.
      this.setReport(report, update.to, run);
      return;
    }
    this.pending = report;
    const phase = run?.phase ?? report.status;
    if (phase !== this.state.phase) {
      // Stop pressed: shown now, not on the next frame.
      this.publisher.cancel();
      this.pending = null;
      this.set({ report, phase });
      return;
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

  /** Publishes pending updates now (tests, and before the state is saved). */
  flush(): void {
    this.publisher.flush();
  }

  private publish(): void {
    if (!this.pending) return;
    const report = this.pending;
    this.pending = null;
    this.set({ report });
  }

  /** Shows another report, keeping the selected layer when it is the same run or the layer is in it. */
  private show(report: RunReport | null, phase: RunPhase | null): void {
    const shown = this.state.report;
    const sameRun = report && shown && report.target === shown.target && report.startedAt === shown.startedAt;
    const keepSelection = sameRun || (report && this.state.selectedLayer != null && report.layers.some((l) => l.id === this.state.selectedLayer));
    this.set({ report, phase, selectedLayer: keepSelection ? this.state.selectedLayer : null });
  }

  private set(patch: Partial<PanelSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }
}
