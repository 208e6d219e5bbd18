// running-stats-lagging (warning): after many training steps BatchNormalization layers' moving statistics are
// still far from the recent batch statistics, and the inference-mode loss is much worse than the training-mode
// loss. Estimates how many more steps the momentum needs. One finding for all such layers, the worst first.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { loss, num, percent } from '../format.ts';
import { layerById, layerName } from './context.ts';
import { layerTotalsOf } from '../layerTotals.ts';
import { channelDistances, MOMENTUM_CONVENTION, stepsToConverge } from './batchNormStats.ts';

export const RULE = 'running-stats-lagging';
export const MIN_STEPS = 20;
/** Distance (in moving standard deviations) the moving mean should get within. */
const TARGET = 0.1;
const LAG = 0.5;
const WORSE = 0.1;

export function runningStatsLagging(report: RunReport): Finding[] {
  const layers = layerById(report);
  const totals = layerTotalsOf(report);
  const lastProbed = [...report.gradientCalls].reverse().find((c) => c.lossBefore != null && c.lossDuring != null && !c.thinned);
  if (!lastProbed) return [];
  const before = lastProbed.lossBefore as number;
  const during = lastProbed.lossDuring as number;
  if (!(before - during > WORSE * Math.max(Math.abs(during), 1e-8))) return [];

  const lagging = lastProbed.layers.flatMap((record) => {
    const bn = record.batchNorm;
    const t = totals.get(record.layer);
    const steps = t ? t.training + t.mixed : 0;
    if (!bn || record.mode === 'inference' || steps < MIN_STEPS) return [];
    const distances = channelDistances(bn, 'after');
    const worst = distances.reduce((w, d) => (d.meanDistance > w.meanDistance ? d : w), distances[0]);
    if (!worst || worst.meanDistance < LAG) return [];
    return [{ id: record.layer, steps, worst, momentum: bn.momentum, more: stepsToConverge(worst.meanDistance, TARGET, bn.momentum) }];
  }).sort((a, b) => b.worst.meanDistance - a.worst.meanDistance);
  if (lagging.length === 0) return [];
  const head = lagging[0];
  const name = layerName(layers, head.id);
  const more = Number.isFinite(head.more) ? `about ${head.more.toLocaleString('en-US')}` : 'unboundedly many';
  return [{
    rule: RULE, severity: 'warning', layer: head.id, ...(lagging.length > 1 ? { layers: lagging.map((l) => l.id) } : {}),
    gradientCall: lastProbed.index, source: layers.get(head.id)?.source ?? null,
    summary: `Moving statistics still lag the batch statistics after ${head.steps} steps (${name}: ${num(head.worst.meanDistance, 2)}σ); inference is worse than training`,
    message:
      `After ${head.steps} training steps, ${name}'s moving mean is still ${num(head.worst.meanDistance, 3)}σ from the batch ` +
      `mean (channel ${head.worst.channel}), so the model does worse in inference (loss ${loss(before)}) than in training ` +
      `(loss ${loss(during)}) on the same batch. With momentum ${head.momentum} (${MOMENTUM_CONVENTION}), it needs ${more} ` +
      `more steps to get within ${TARGET}σ.${lagging.length > 1 ? ` ${lagging.length - 1} other BatchNorm layers lag too.` : ''}`,
    fix: head.momentum > 0.9
      ? `Lower the momentum (tf.layers.batchNormalization({momentum: 0.9}) moves 10% per step instead of ` +
        `${percent(1 - head.momentum)}), train longer, or normalise the input so the batch statistics start near ` +
        `the initial moving statistics (mean 0, variance 1). A momentum ported from PyTorch (0.1) means 0.9 here.`
      : `Normalise the input so the batch statistics start near the initial moving statistics (mean 0, variance 1), ` +
        `or train longer: with momentum ${head.momentum} the moving statistics move ${percent(1 - head.momentum)} of the way per step.`,
  }];
}
