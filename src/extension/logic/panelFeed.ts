// What the panel's webview is sent, and when: the shown run's state once when the webview is ready (or the shown
// run changes), then, while the run streams, small updates at a bounded rate:
//  - a phase change (Stop pressed, the run ended) goes out at once;
//  - progress goes out at most every MIN_INTERVAL_MS, and each message holds back the next for as long as its size
//    takes at BYTES_PER_SECOND, so a long run costs the webview at most that many bytes a second on average;
//  - an update carries every new call's losses; of the per-layer records only each layer's latest ones, and only
//    while the layer table or detail is on screen (the webview says: 'view'), at most every DETAIL_INTERVAL_MS;
//    and the selected layer's records (its whole history when the selection changes): src/model/reportUpdate.ts;
//  - findings go along when they changed, at most every DETAIL_INTERVAL_MS (each list needs a diagnosis);
//  - when the run ends, its final report, at once.
// Also the compare view: two runs' losses and findings, refreshed (at most every DETAIL_INTERVAL_MS) while one of
// them runs.
// Pure: no vscode import; DebuggerPanel gives it the webview's postMessage, tests and the bench their own.
import { viewUpdate } from '../../model/reportUpdate.ts';
import { lossSeries } from '../../model/views/lossSeries.ts';
import type { RunReport } from '../../protocol/report.ts';
import type { CompareSide, HostToWebview, PanelRun, RunComparison } from '../../protocol/webviewMessages.ts';
import type { BatcherTimers } from './batcher.ts';
import { runName, runTime } from './runLabels.ts';
import type { RunEntry, RunStore, StoreChange } from './runStore.ts';

export const BYTES_PER_SECOND = 150_000;
export const MIN_INTERVAL_MS = 50;
export const DETAIL_INTERVAL_MS = 1000;

const realTimers: BatcherTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface PanelFeedOptions {
  timers?: BatcherTimers;
  bytesPerSecond?: number;
  minIntervalMs?: number;
  detailIntervalMs?: number;
}

/** What the feed has posted (the bench reads it). */
export interface FeedStats {
  messages: number;
  bytes: number;
  /** Whole reports posted (`report`, `run-ended`). */
  reports: number;
  updates: number;
  largestUpdate: number;
}

export function panelRun(run: RunEntry): PanelRun {
  return { id: run.id, phase: run.phase, ...(run.name ? { name: run.name } : {}) };
}

/** One side of the compare view. */
export function compareSide(run: RunEntry): CompareSide {
  const report = run.report();
  const named = new Set(report.findings.flatMap((f) => [f.layer, ...(f.layers ?? [])]).filter((l): l is number => l != null));
  return {
    run: panelRun(run),
    title: `${runName(run)} · ${runTime(run.startedAt)}`,
    target: report.target, startedAt: report.startedAt, durationMs: report.durationMs, gradientCallCount: report.gradientCallCount,
    findings: report.findings,
    layerNames: Object.fromEntries(report.layers.filter((l) => named.has(l.id)).map((l) => [String(l.id), l.name])),
    series: lossSeries(report),
  };
}

export class PanelFeed {
  private ready = false;
  /** The run whose report the webview holds, and the versions of its parts. */
  private runId: string | null = null;
  private version = 0;
  private detailVersion = 0;
  private selectedVersion = 0;
  private selectedLayer: number | null = null;
  private layersOnScreen = true;
  private lastDetailAt = -Infinity;
  private lastFindings = '';
  private postedPhase: string | null = null;
  private comparing: { before: string; after: string } | null = null;
  private compareDue = false;
  private lastCompareAt = -Infinity;
  private timer: unknown = null;
  private nextAt = 0;
  private readonly timers: BatcherTimers;
  private readonly bytesPerSecond: number;
  private readonly minIntervalMs: number;
  private readonly detailIntervalMs: number;
  private readonly subscription: { dispose(): void };
  readonly stats: FeedStats = { messages: 0, bytes: 0, reports: 0, updates: 0, largestUpdate: 0 };

  constructor(private readonly store: RunStore, private readonly post: (message: HostToWebview) => void, opts: PanelFeedOptions = {}) {
    this.timers = opts.timers ?? realTimers;
    this.bytesPerSecond = opts.bytesPerSecond ?? BYTES_PER_SECOND;
    this.minIntervalMs = opts.minIntervalMs ?? MIN_INTERVAL_MS;
    this.detailIntervalMs = opts.detailIntervalMs ?? DETAIL_INTERVAL_MS;
    this.subscription = store.onDidChange((c) => this.onChange(c));
  }

  /** The webview is ready: it gets the whole state. */
  attach(): void {
    this.ready = true;
    // A new webview assumes the layer table is on screen until it says otherwise.
    this.layersOnScreen = true;
    this.sendState();
  }

  /** The webview is gone (hidden): nothing is posted until it is ready again. */
  detach(): void {
    this.ready = false;
    this.cancelTimer();
  }

  /** The layer the webview shows the detail of (its history is sent from the start). */
  select(layer: number | null): void {
    if (layer === this.selectedLayer) return;
    this.selectedLayer = layer;
    this.selectedVersion = 0;
    this.schedule();
  }

  /** Whether the layer table or detail is on screen. */
  setLayersOnScreen(onScreen: boolean): void {
    if (onScreen === this.layersOnScreen) return;
    this.layersOnScreen = onScreen;
    if (onScreen) {
      this.lastDetailAt = -Infinity;
      this.schedule();
    }
  }

  /** Shows two runs side by side (until closeCompare or another run is opened). */
  compare(before: string, after: string): boolean {
    if (!this.store.get(before) || !this.store.get(after)) return false;
    this.comparing = { before, after };
    if (this.ready) this.sendComparison();
    return true;
  }

  closeCompare(): void {
    if (!this.comparing) return;
    this.comparing = null;
    if (this.ready) this.send({ type: 'compare', comparison: null }, false);
  }

  get comparison(): { before: string; after: string } | null {
    return this.comparing;
  }

  private onChange(change: StoreChange): void {
    if (this.comparing && 'run' in change && change.run && (change.run.id === this.comparing.before || change.run.id === this.comparing.after)) {
      if (change.type === 'progress') this.compareDue = true;
      else if (this.ready) this.sendComparison();
    }
    if (this.comparing && (change.type === 'runs' || change.type === 'cleared') && !this.comparedRuns()) this.closeCompare();
    if (!this.ready) return;
    switch (change.type) {
      case 'run-start':
      case 'shown':
      case 'runs':
      case 'cleared':
        if (change.type === 'run-start' || change.type === 'shown') this.closeCompare();
        if ((this.store.shown?.id ?? null) !== this.runId) this.sendState();
        break;
      case 'progress':
        if (change.run.id === this.runId || this.compareDue) this.schedule();
        break;
      case 'status':
        if (change.run.id === this.runId) this.sendUpdate();
        break;
      case 'run-end':
        if (change.run.id === this.runId) this.sendEnd(change.run);
        break;
    }
  }

  private comparedRuns(): [RunEntry, RunEntry] | null {
    const before = this.comparing && this.store.get(this.comparing.before);
    const after = this.comparing && this.store.get(this.comparing.after);
    return before && after ? [before, after] : null;
  }

  /** The shown run from scratch: a live one as an update from version 0 (cut to what the panel shows), a
   *  finished one as its report. */
  private sendState(): void {
    this.cancelTimer();
    const run = this.store.shown;
    this.runId = run?.id ?? null;
    this.version = this.detailVersion = this.selectedVersion = 0;
    this.lastDetailAt = -Infinity;
    this.lastFindings = '';
    this.postedPhase = run?.phase ?? null;
    if (run?.live) this.sendUpdate();
    else this.send({ type: 'report', report: run?.report() ?? null, ...(run ? { run: panelRun(run) } : {}) }, false);
    if (this.comparing) this.sendComparison();
  }

  /** What changed in the shown live run since the webview's versions. */
  private sendUpdate(): void {
    this.cancelTimer();
    const run = this.runId ? this.store.get(this.runId) : undefined;
    const live = run?.live;
    if (!run || !live) return;
    const now = this.timers.now();
    const phaseChanged = run.phase !== this.postedPhase;
    const detailDue = this.layersOnScreen && (this.detailVersion === 0 || phaseChanged || now - this.lastDetailAt >= this.detailIntervalMs);
    const selectedDue = this.selectedLayer != null && this.selectedVersion < live.version;
    if (live.version === this.version && !phaseChanged && !(detailDue && this.detailVersion < live.version) && !selectedDue) return;
    const main = live.changesSince(this.version, { findings: detailDue || this.version === 0 });
    if (main.findings) {
      const json = JSON.stringify(main.findings);
      if (json === this.lastFindings) delete main.findings;
      else this.lastFindings = json;
    }
    const detail = detailDue ? live.changesSince(this.detailVersion, { findings: false }) : null;
    const selected = selectedDue ? { layer: this.selectedLayer as number, calls: live.changesSince(this.selectedVersion, { findings: false }).calls } : null;
    const update = viewUpdate({ main, detail: detail && { calls: detail.calls, layerTotals: detail.layerTotals }, selected });
    this.version = update.to;
    if (detail) {
      this.detailVersion = update.to;
      this.lastDetailAt = now;
    }
    if (selected) this.selectedVersion = update.to;
    this.postedPhase = run.phase;
    this.send({ type: 'update', update, run: panelRun(run) }, true);
  }

  /** The shown run ended: its final report, at once. */
  private sendEnd(run: RunEntry): void {
    this.cancelTimer();
    const report: RunReport = run.report();
    this.postedPhase = run.phase;
    this.send({ type: 'run-ended', report, run: panelRun(run) }, false);
  }

  private sendComparison(): void {
    this.compareDue = false;
    this.lastCompareAt = this.timers.now();
    const runs = this.comparedRuns();
    if (!runs) return;
    const comparison: RunComparison = { before: compareSide(runs[0]), after: compareSide(runs[1]) };
    this.send({ type: 'compare', comparison }, true);
  }

  /** Posts the next update when the rate allows. */
  private schedule(): void {
    if (!this.ready || this.timer !== null) return;
    const wait = Math.max(0, this.nextAt - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (this.compareDue && this.timers.now() - this.lastCompareAt >= this.detailIntervalMs) this.sendComparison();
      this.sendUpdate();
    }, wait);
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Posts; a paced message holds the next one back for as long as its size takes at the byte rate. */
  private send(message: HostToWebview, paced: boolean): void {
    const bytes = JSON.stringify(message).length;
    this.stats.messages++;
    this.stats.bytes += bytes;
    if (message.type === 'report' || message.type === 'run-ended') this.stats.reports++;
    if (message.type === 'update') {
      this.stats.updates++;
      this.stats.largestUpdate = Math.max(this.stats.largestUpdate, bytes);
    }
    const hold = paced ? Math.max(this.minIntervalMs, (bytes / this.bytesPerSecond) * 1000) : this.minIntervalMs;
    this.nextAt = Math.max(this.nextAt, this.timers.now() + hold);
    this.post(message);
  }

  dispose(): void {
    this.ready = false;
    this.cancelTimer();
    this.subscription.dispose();
  }
}
