// running-stats-lagging (warning): after many training steps a BatchNormalization layer's moving statistics are
// still far from the recent batch statistics, and the inference-mode loss is much worse than the training-mode
// loss. Estimates how many more steps the momentum needs.
import type { Finding, RunReport } from '../../protocol.ts';
import { fmt, layerById } from './context.ts';
import { layerTotalsOf } from '../report/layerTotals.ts';
import { channelDistances, MOMENTUM_CONVENTION, stepsToConverge } from './batchNormStats.ts';

export const RULE = 'running-stats-lagging';
export const MIN_STEPS = 20;
/** Distance (in moving standard deviations) the moving mean should get within. */
const TARGET = 0.1;
const LAG = 0.5;
const WORSE = 0.1;

export function runningStatsLagging(report: RunReport): Finding[] {
  const layers = layerById(report);
  const findings: Finding[] = [];
  const totals = layerTotalsOf(report);
  const lastProbed = [...report.gradientCalls].reverse().find((c) => c.lossBefore != null && c.lossDuring != null);
  if (!lastProbed) return [];
  const before = lastProbed.lossBefore as number;
  const during = lastProbed.lossDuring as number;
  const inferenceWorse = before - during > WORSE * Math.max(Math.abs(during), 1e-8);
  if (!inferenceWorse) return [];

  for (const record of lastProbed.layers) {
    const bn = record.batchNorm;
    const t = totals.get(record.layer);
    const count = t ? t.training + t.mixed : 0;
    if (!bn || record.mode === 'inference' || count < MIN_STEPS) continue;
    const distances = channelDistances(bn, 'after');
    const worst = distances.reduce((w, d) => (d.meanDistance > w.meanDistance ? d : w), distances[0]);
    if (!worst || worst.meanDistance < LAG) continue;
    const more = stepsToConverge(worst.meanDistance, TARGET, bn.momentum);
    const layer = layers.get(record.layer);
    findings.push({
      rule: RULE, severity: 'warning', layer: record.layer, gradientCall: lastProbed.index, source: layer?.source ?? null,
      message:
        `After ${count} training steps, ${layer?.name ?? `layer ${record.layer}`}'s moving mean is still ` +
        `${worst.meanDistance.toFixed(2)}σ from the batch mean (channel ${worst.channel}), so the model does worse in ` +
        `inference (loss ${fmt(before, 5)}) than in training (loss ${fmt(during, 5)}) on the same batch. With momentum ` +
        `${bn.momentum} (${MOMENTUM_CONVENTION}), it needs about ${Number.isFinite(more) ? more : 'unboundedly many'} more ` +
        `steps to get within ${TARGET}σ.`,
      fix:
        `Lower the momentum (tf.layers.batchNormalization({momentum: 0.9}) moves 10% per step instead of ` +
        `${fmt((1 - bn.momentum) * 100, 2)}%), train longer, or normalise the input so the batch statistics start near ` +
        `the initial moving statistics (mean 0, variance 1). A momentum ported from PyTorch (0.1) means 0.9 here.`,
    });
  }
  return findings;
}
