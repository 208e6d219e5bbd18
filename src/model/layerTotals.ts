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

export function layerTotalsOf(report: RunReport): Map<number, LayerTotals> {
  if (report.layerTotals) return new Map(report.layerTotals.map((t) => [t.layer, t]));
  const totals = new Map<number, LayerTotals>();
  for (const call of report.gradientCalls) addCallToTotals(totals, call);
  return totals;
}
