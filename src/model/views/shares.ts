// Each layer's share of the loss gap, from attribution (the loss change with only that layer in training mode,
// against the gap). Attribution runs on some probed calls only, so a share is always of one named call.
import type { AttributionEntry, GradientCallRecord, RunReport } from '../../protocol/report.ts';

export interface LayerShare extends AttributionEntry {
  /** The gradient call it is the share of. */
  call: number;
}

/** The latest recorded call with an attribution. */
export function latestAttributedCall(report: RunReport): GradientCallRecord | null {
  for (let i = report.gradientCalls.length - 1; i >= 0; i--) {
    if (report.gradientCalls[i].attribution) return report.gradientCalls[i];
  }
  return null;
}

/** Each layer's share in one call, by layer id. */
export function sharesIn(call: GradientCallRecord | null): Map<number, number> {
  return new Map((call?.attribution ?? []).map((a) => [a.layer, a.share]));
}

/** The layer's share: in the call the loss-gap finding names, else in the latest call that attributed it. */
export function layerShare(report: RunReport, layerId: number): LayerShare | null {
  const pick = (call: GradientCallRecord | undefined): LayerShare | null => {
    const entry = call?.attribution?.find((a) => a.layer === layerId);
    return call && entry && Number.isFinite(entry.share) ? { ...entry, call: call.index } : null;
  };
  const gapCall = report.findings.find((f) => f.rule === 'loss-gap')?.gradientCall ?? null;
  const fromGap = gapCall == null ? null : pick(report.gradientCalls.find((c) => c.index === gapCall));
  if (fromGap) return fromGap;
  for (let i = report.gradientCalls.length - 1; i >= 0; i--) {
    const share = pick(report.gradientCalls[i]);
    if (share) return share;
  }
  return null;
}
