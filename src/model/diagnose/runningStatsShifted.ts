// running-stats-shifted (info): a gradient call's forward pass moved the moving statistics, so inference after
// the call differs from inference before it, though no weight changed. Headlined by the call where the
// inference-mode loss moved most.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { loss, plural, relativeChange } from '../format.ts';
import { lossesDiffer, relativeGap } from '../lossGaps.ts';
import { callLabel, layerById, layerName } from './context.ts';

export const RULE = 'running-stats-shifted';

export function runningStatsShifted(report: RunReport): Finding[] {
  const tol = report.options.lossGapTolerance;
  const shifted = report.gradientCalls.filter((c) => lossesDiffer(c.lossAfter, c.lossBefore, tol));
  if (shifted.length === 0) return [];
  const call = shifted.reduce((a, b) =>
    (relativeGap(b.lossAfter as number, b.lossBefore as number) > relativeGap(a.lossAfter as number, a.lossBefore as number) ? b : a));
  const moved = call.layers
    .filter((l) => l.batchNorm)
    .map((l) => {
      const bn = l.batchNorm!;
      return { layer: l.layer, change: bn.movingMeanAfter.reduce((m, v, i) => Math.max(m, Math.abs(v - bn.movingMeanBefore[i])), 0) };
    })
    .filter((m) => m.change > 0)
    .sort((a, b) => b.change - a.change);
  if (moved.length === 0) return [];
  const layers = layerById(report);
  const ids = moved.map((m) => m.layer);
  const change = relativeChange(call.lossBefore, call.lossAfter);
  return [{
    rule: RULE, severity: 'info', layer: ids[0], ...(ids.length > 1 ? { layers: ids } : {}), gradientCall: call.index,
    source: layers.get(ids[0])?.source ?? null,
    summary: `A gradient call moves the inference-mode loss without changing a weight (${change ?? 'moving statistics updated'})`,
    message:
      `${callLabel(call)} changed no weight, yet the inference-mode loss went from ${loss(call.lossBefore)} to ` +
      `${loss(call.lossAfter)}${change ? ` (${change})` : ''}: its training-mode forward pass updated the moving statistics of ` +
      `${ids.length === 1 ? layerName(layers, ids[0]) : `${plural(ids.length, 'BatchNorm layer')}`}.` +
      `${shifted.length > 1 ? ` ${plural(shifted.length, 'recorded call')} did so; this one moved it most.` : ''}`,
    fix:
      `Expected with BatchNormalization in training mode. Compare losses taken at the same point (both before or both ` +
      `after the step), and if these layers should not learn statistics (fine-tuning), call them with {training: false}.`,
  }];
}
