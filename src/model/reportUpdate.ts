// What a live run's report sends to a view, and how the view applies it.
//
// applyReportUpdate: a ReportUpdate (what changed in the report between two versions of the host's fold) applied
// to the report it was taken against: report in, report out. The panel keeps its live report this way, without
// folding the runner's events again.
//
// viewUpdate: a ReportUpdate cut down to what the panel shows, so that a long run costs the webview a bounded
// number of bytes: the probed calls' losses (the chart), and of the per-layer records only each layer's latest ones
// (the layer table: latest mode, output statistics, BatchNorm statistics, gradient norm) and the selected layer's
// records in every call (its detail and history charts). Records are merged into the ones the view holds, so a
// call may arrive with some of its records now and others later.
import type { GradientCallRecord, LayerCallRecord, LayerTotals, RunReport, WeightGradNorm } from '../protocol/report.ts';
import type { ReportUpdate } from '../protocol/webviewMessages.ts';

/** Replaces items by key, adds new ones, and keeps the order of `key`. */
function merged<T>(items: readonly T[], changed: readonly T[], key: (item: T) => number): T[] {
  if (changed.length === 0) return [...items];
  const byKey = new Map(items.map((item) => [key(item), item]));
  for (const item of changed) byKey.set(key(item), item);
  return [...byKey.values()].sort((a, b) => key(a) - key(b));
}

/** Items of `base` with those of `added` replacing the ones of the same key, new ones appended. */
function union<T>(base: readonly T[], added: readonly T[], key: (item: T) => string | number): T[] {
  if (base.length === 0) return [...added];
  if (added.length === 0) return [...base];
  const keys = new Set(added.map(key));
  return [...base.filter((item) => !keys.has(key(item))), ...added];
}

const weightKey = (w: WeightGradNorm) => `${w.layer}/${w.name}`;

/** A call as the view holds it after `incoming` arrived: the records of both, unless the history thinned it. */
function mergeCall(held: GradientCallRecord | undefined, incoming: GradientCallRecord): GradientCallRecord {
  if (!held || incoming.thinned) return incoming;
  return { ...incoming, layers: union(held.layers, incoming.layers, (r) => r.layer), weights: union(held.weights, incoming.weights, weightKey) };
}

/** The indexes inclusive ranges cover, in order. */
export function rangeIndexes(ranges: readonly [number, number][]): number[] {
  const out: number[] = [];
  for (const [from, to] of ranges) for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** The report `update` brings `report` to. `report` must be the one at `update.from` (null or anything when
 *  `from` is 0: the update then holds the whole report). */
export function applyReportUpdate(report: RunReport | null, update: ReportUpdate): RunReport {
  const base = update.from === 0 ? null : report;
  const calls = new Map<number, GradientCallRecord>((base?.gradientCalls ?? []).map((c) => [c.index, c]));
  for (const call of update.calls) calls.set(call.index, mergeCall(calls.get(call.index), call));
  const leakSites = update.leakSites ?? base?.leakSites;
  return {
    ...update.header,
    layers: merged(base?.layers ?? [], update.layers, (l) => l.id),
    gradientCalls: rangeIndexes(update.callRanges).map((i) => calls.get(i)).filter((c): c is GradientCallRecord => c != null),
    layerTotals: merged(base?.layerTotals ?? [], update.layerTotals, (t) => t.layer),
    ...(leakSites ? { leakSites } : {}),
    findings: update.findings ?? base?.findings ?? [],
    logs: [...(base?.logs ?? []), ...update.logs],
  };
}

/** A call without its per-layer records (the history's thinned calls keep theirs: the first NaN/Inf). */
function losses(call: GradientCallRecord): GradientCallRecord {
  return call.thinned ? call : { ...call, layers: [], weights: [] };
}

/** Each layer's latest record of each kind (any; with output statistics; BatchNorm; gradient norm), and every
 *  record with NaN or Inf, among `calls` (oldest first): what the layer table reads (src/model/views/layerRecords.ts). */
function latestRecords(calls: readonly GradientCallRecord[]): Map<number, Set<LayerCallRecord>> {
  const seen = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];
  const kinds = [() => true, (r: LayerCallRecord) => r.output != null, (r: LayerCallRecord) => r.batchNorm != null, (r: LayerCallRecord) => r.gradNorm != null];
  const keep = new Map<number, Set<LayerCallRecord>>();
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i];
    if (call.thinned) continue;
    for (const r of call.layers) {
      let wanted = r.nonFinite > 0;
      kinds.forEach((kind, k) => {
        if (!seen[k].has(r.layer) && kind(r)) {
          seen[k].add(r.layer);
          wanted = true;
        }
      });
      if (!wanted) continue;
      const set = keep.get(call.index) ?? new Set<LayerCallRecord>();
      set.add(r);
      keep.set(call.index, set);
    }
  }
  return keep;
}

/** The parts of a live report a panel is sent, each taken since the version the panel holds it at. */
export interface ViewParts {
  /** Since the panel's version: the header, layers, logs, leak sites, findings, and the calls (losses only). */
  main: ReportUpdate;
  /** Since the version of the panel's per-layer data, when it is on screen and due: latest records and totals. */
  detail: { calls: GradientCallRecord[]; layerTotals: LayerTotals[] } | null;
  /** Since the version of the selected layer's history: that layer's records. */
  selected: { layer: number; calls: GradientCallRecord[] } | null;
}

/** Whether the panel is sent a call for its losses: probed calls (the loss chart's points) and thinned ones that kept
 *  a NaN/Inf record. An unprobed call has only the loss during it, which the panel does not draw: it is counted in
 *  the header, and comes with the final report. */
function shownCall(call: GradientCallRecord): boolean {
  return call.probed || call.probeError != null || (call.thinned === true && call.layers.length > 0);
}

/** One update from the parts: `main` with its probed calls cut to their losses, and the records `detail` and
 *  `selected` ask for added to the calls that hold them (older calls come again with just those records). */
export function viewUpdate({ main, detail, selected }: ViewParts): ReportUpdate {
  const out = new Map<number, GradientCallRecord>(main.calls.filter(shownCall).map((c) => [c.index, losses(c)]));
  const add = (call: GradientCallRecord, records: LayerCallRecord[], weights: WeightGradNorm[]) => {
    if (call.thinned || (records.length === 0 && weights.length === 0)) return;
    const held = out.get(call.index) ?? losses(call);
    out.set(call.index, { ...held, layers: union(held.layers, records, (r) => r.layer), weights: union(held.weights, weights, weightKey) });
  };
  if (detail) {
    const keep = latestRecords(detail.calls);
    for (const call of detail.calls) {
      const records = keep.get(call.index);
      if (records) add(call, call.layers.filter((r) => records.has(r)), []);
    }
  }
  if (selected) {
    for (const call of selected.calls) {
      add(call, call.layers.filter((r) => r.layer === selected.layer), call.weights.filter((w) => w.layer === selected.layer));
    }
  }
  return {
    ...main,
    calls: [...out.values()].sort((a, b) => a.index - b.index),
    layerTotals: detail?.layerTotals ?? [],
  };
}
