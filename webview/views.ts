// Views of a RunReport only the panel renders: per-layer rows, BatchNorm and gradient norm history, built on the
// model's views (src/model/views; the loss series are there, the compare view's host side needs them too). Pure
// functions; one pass over the recorded gradient calls each.
import type { BatchNormStats, GradientCallRecord, LayerCallRecord, LayerInfo, Mode, RunReport, TensorStats, WeightGradNorm } from '../src/protocol/report.ts';
import { batchNormDrift } from '../src/model/diagnose/batchNormStats.ts';
import { historyBreak } from '../src/model/views/lossSeries.ts';
import { MODE_DEPENDENT_CLASSES } from '../src/model/layerClasses.ts';
import { layerTotalsOf } from '../src/model/layerTotals.ts';
import { callsInside, callsOutside, modeInside, modeOutside } from '../src/model/views/layerModes.ts';
import { hasBatchNorm, hasGradNorm, hasOutput, lastRecordOf, lastRecords } from '../src/model/views/layerRecords.ts';
import { latestAttributedCall, sharesIn } from '../src/model/views/shares.ts';
import { trainsOf, type Trains } from '../src/model/views/trainability.ts';

export interface LayerRow {
  id: number;
  name: string;
  className: string;
  modeDependent: boolean;
  /** Names of the models this layer was called through. */
  parents: string[];
  info: LayerInfo;
  /** `line 6` when the layer was built in the target script itself, else `file.js:6`. */
  sourceLabel: string | undefined;
  /** Mode across the recorded gradient calls; null when the layer never ran inside one. */
  modeInside: Mode | null;
  /** Gradient calls the layer ran in. */
  callsInside: number;
  modeOutside: Mode | null;
  callsOutside: number;
  /** Output statistics from the latest probed call. */
  output: TensorStats | null;
  /** NaN and Inf values in the layer's outputs, summed over the recorded calls. */
  nonFinite: number;
  /** Latest BatchNorm record. */
  batchNorm: BatchNormStats | null;
  /** max over channels |batch mean − moving mean before| / sqrt(moving variance before + ε), latest call. */
  drift: number | null;
  gradNorm: number | null;
  /** Share of the loss gap from the latest call that has an attribution; null when none. */
  share: number | null;
  /** Whether its weights train (src/model/views/trainability.ts). */
  trains: Trains;
}

export function layerRows(report: RunReport): LayerRow[] {
  const names = new Map(report.layers.map((l) => [l.id, l.name]));
  const totals = layerTotalsOf(report);
  const latest = lastRecords(report);
  const latestOutput = lastRecords(report, hasOutput);
  const latestBn = lastRecords(report, hasBatchNorm);
  const latestGrad = lastRecords(report, hasGradNorm);
  const shares = sharesIn(latestAttributedCall(report));
  return report.layers.filter((l) => !l.isContainer).map((l) => {
    const t = totals.get(l.id);
    const bn = latestBn.get(l.id)?.batchNorm ?? null;
    return {
      id: l.id,
      name: l.name,
      className: l.className,
      modeDependent: MODE_DEPENDENT_CLASSES.has(l.className),
      parents: l.parents.map((p) => names.get(p) ?? `#${p}`),
      info: l,
      sourceLabel: l.source && l.source.file === report.target ? `line ${l.source.line}` : undefined,
      modeInside: modeInside(t),
      callsInside: callsInside(t),
      modeOutside: modeOutside(l),
      callsOutside: callsOutside(l),
      output: latestOutput.get(l.id)?.output ?? null,
      nonFinite: t?.nonFinite ?? 0,
      batchNorm: bn,
      drift: bn ? batchNormDrift(bn) : null,
      gradNorm: latestGrad.get(l.id)?.gradNorm ?? null,
      share: shares.get(l.id) ?? null,
      trains: trainsOf(latest.get(l.id), l),
    };
  });
}

export function latestProbed(report: RunReport): GradientCallRecord | null {
  for (let i = report.gradientCalls.length - 1; i >= 0; i--) if (report.gradientCalls[i].probed) return report.gradientCalls[i];
  return null;
}

export function probedCount(report: RunReport): number {
  let n = 0;
  for (const c of report.gradientCalls) if (c.probed) n++;
  return n;
}

export interface ChannelHistory {
  /** Call index; the first point is the value before the first recorded call (index − 1). */
  x: number[];
  /** Per channel, the moving mean after each call (first point: before the first). */
  movingMean: (number | null)[][];
  channels: number;
}

/** A BatchNorm layer's moving mean per channel over the recorded gradient calls (the first `maxChannels`). */
export function movingMeanHistory(report: RunReport, layer: number, maxChannels: number): ChannelHistory | null {
  const x: number[] = [];
  let movingMean: (number | null)[][] = [];
  let channels = 0;
  const cut = historyBreak(report);
  for (const [i, call] of report.gradientCalls.entries()) {
    if (i === cut && x.length) {
      x.push((report.gradientCalls[i - 1].index + call.index) / 2);
      movingMean.forEach((s) => s.push(null));
    }
    const bn = call.layers.find((r) => r.layer === layer)?.batchNorm;
    if (!bn) continue;
    if (x.length === 0) {
      channels = bn.movingMeanBefore.length;
      movingMean = Array.from({ length: Math.min(channels, maxChannels) }, () => []);
      x.push(call.index - 1);
      movingMean.forEach((s, c) => s.push(bn.movingMeanBefore[c]));
    }
    x.push(call.index);
    movingMean.forEach((s, c) => s.push(bn.movingMeanAfter[c]));
  }
  return x.length ? { x, movingMean, channels } : null;
}

/** A layer's gradient norm over the recorded gradient calls that sampled it (the probed ones): the points are
 *  joined, with a gap only where the history dropped calls. */
export function gradNormHistory(report: RunReport, layer: number): { x: number[]; y: (number | null)[] } {
  const x: number[] = [];
  const y: (number | null)[] = [];
  const cut = historyBreak(report);
  for (const [i, call] of report.gradientCalls.entries()) {
    if (i === cut && x.length) {
      x.push((report.gradientCalls[i - 1].index + call.index) / 2);
      y.push(null);
    }
    const norm = call.layers.find((l) => l.layer === layer)?.gradNorm;
    if (norm == null || !Number.isFinite(norm)) continue;
    x.push(call.index);
    y.push(norm);
  }
  return { x, y };
}

/** The latest call's record of one layer, and its weights' gradient norms. */
export function latestRecord(report: RunReport, layer: number): { call: GradientCallRecord; record: LayerCallRecord; weights: WeightGradNorm[] } | null {
  const last = lastRecordOf(report, layer);
  return last && { ...last, weights: last.call.weights.filter((w) => w.layer === layer) };
}

export { droppedRange, lossSeries } from '../src/model/views/lossSeries.ts';
