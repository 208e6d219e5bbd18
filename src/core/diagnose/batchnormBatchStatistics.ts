// batchnorm-batch-statistics (warning): a BatchNormalization layer normalised with batch statistics that are
// far from its moving statistics, so the same input gives different outputs in training and inference.
// Judged on the layer's last training-mode gradient call, so early steps of a healthy run do not count.
import type { Finding, RunReport } from '../../protocol.ts';
import { callLabel, layerById } from './context.ts';
import { channelDistances, describeChannels, severityOf } from './batchNormStats.ts';

export const RULE = 'batchnorm-batch-statistics';
/** Mean more than half a standard deviation away, or variance off by more than a factor of 2. */
export const THRESHOLD = 1;

export function batchnormBatchStatistics(report: RunReport): Finding[] {
  const layers = layerById(report);
  const last = new Map<number, { call: RunReport['gradientCalls'][number]; record: RunReport['gradientCalls'][number]['layers'][number] }>();
  for (const call of report.gradientCalls) {
    for (const record of call.layers) if (record.batchNorm && record.mode !== 'inference') last.set(record.layer, { call, record });
  }
  const findings: Finding[] = [];
  for (const [id, { call, record }] of last) {
    const distances = channelDistances(record.batchNorm!);
    const far = distances.filter((d) => Math.max(d.meanDistance * 2, Math.abs(Math.log2(d.varianceRatio))) > THRESHOLD);
    if (far.length === 0) continue;
    const layer = layers.get(id);
    const worst = Math.max(...distances.map(severityOf));
    findings.push({
      rule: RULE, severity: 'warning', layer: id, gradientCall: call.index, source: layer?.source ?? null,
      message:
        `In ${callLabel(call)} ${layer?.name ?? `layer ${id}`} normalised with batch statistics far from its moving ` +
        `statistics in ${far.length} of ${distances.length} channel${distances.length === 1 ? '' : 's'} ` +
        `(${describeChannels(far)}). In inference it uses the moving statistics, so its output, and the loss, ` +
        `differ between training and inference (worst channel score ${worst.toFixed(2)}).`,
      fix:
        `Normalise the input so batches look alike (scale features to zero mean and unit variance before the model), ` +
        `use larger batches, or let the moving statistics catch up (more steps, or a lower momentum such as 0.9 in ` +
        `tf.layers.batchNormalization({momentum: 0.9})). When fine-tuning, call this layer with {training: false}.`,
    });
  }
  return findings;
}
