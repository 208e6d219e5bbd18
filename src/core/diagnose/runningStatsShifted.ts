// running-stats-shifted (info): a gradient call's forward pass moved the moving statistics, so inference after
// the call differs from inference before it, though no weight changed.
import type { Finding, RunReport } from '../../protocol.ts';
import { callLabel, fmt, layerById, lossesDiffer } from './context.ts';

export const RULE = 'running-stats-shifted';

export function runningStatsShifted(report: RunReport): Finding[] {
  const tol = report.options.lossGapTolerance;
  const call = report.gradientCalls.find((c) => lossesDiffer(c.lossAfter, c.lossBefore, tol));
  if (!call) return [];
  const moved = call.layers
    .filter((l) => l.batchNorm)
    .map((l) => {
      const bn = l.batchNorm!;
      const change = bn.movingMeanAfter.reduce((m, v, i) => Math.max(m, Math.abs(v - bn.movingMeanBefore[i])), 0);
      return { layer: l.layer, change };
    })
    .filter((m) => m.change > 0)
    .sort((a, b) => b.change - a.change);
  if (moved.length === 0) return [];
  const layers = layerById(report);
  const top = layers.get(moved[0].layer);
  const names = moved.slice(0, 3).map((m) => layers.get(m.layer)?.name ?? `layer ${m.layer}`).join(', ');
  return [{
    rule: RULE, severity: 'info', layer: moved[0].layer, gradientCall: call.index, source: top?.source ?? null,
    message:
      `${callLabel(call)} changed no weight, yet the inference-mode loss went from ${fmt(call.lossBefore, 6)} to ` +
      `${fmt(call.lossAfter, 6)}: its training-mode forward pass updated the moving statistics of ${names}.`,
    fix:
      `Expected with BatchNormalization in training mode. Compare losses taken at the same point (both before or both ` +
      `after the step), and if this layer should not learn statistics (fine-tuning), call it with {training: false}.`,
  }];
}
