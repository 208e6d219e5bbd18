// Per-layer totals over a run's gradient calls: in how many the layer ran in each mode, its NaN/Inf count,
// and in how many its weights got a gradient. The report carries them for the whole run (ReportBuilder); an
// older report without them gets them from the calls it kept.
import type { GradientCallRecord, LayerTotals, RunReport } from '../protocol/report.ts';

/** Counts a call in, and returns the totals it changed. */
export function addCallToTotals(totals: Map<number, LayerTotals>, call: GradientCallRecord): LayerTotals[] {
  if (call.thinned) return []; // a thinned call was counted when it came in full
  const changed: LayerTotals[] = [];
  for (const r of call.layers) {
    let t = totals.get(r.layer);
    if (!t) totals.set(r.layer, (t = { layer: r.layer, training: 0, inference: 0, mixed: 0, nonFinite: 0 }));
    t[r.mode]++;
    t.nonFinite += r.nonFinite;
    if (r.learns === 'none') t.notLearned = (t.notLearned ?? 0) + 1;
    else if (r.learns) t.learned = (t.learned ?? 0) + 1;
    changed.push(t);
  }
  return changed;
}

/** By the list they come from (a report's layerTotals, or the calls of an older report without them). */
const totalsBySource = new WeakMap<object, Map<number, LayerTotals>>();

/** The report's totals by layer id (computed once per list: views ask for them layer by layer). */
export function layerTotalsOf(report: RunReport): ReadonlyMap<number, LayerTotals> {
  const source = report.layerTotals ?? report.gradientCalls;
  let totals = totalsBySource.get(source);
  if (!totals) {
    totals = report.layerTotals ? new Map(report.layerTotals.map((t) => [t.layer, t])) : new Map<number, LayerTotals>();
    if (!report.layerTotals) for (const call of report.gradientCalls) addCallToTotals(totals, call);
    totalsBySource.set(source, totals);
  }
  return totals;
}
