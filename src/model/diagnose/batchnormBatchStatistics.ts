// batchnorm-batch-statistics (warning): BatchNormalization layers normalised with batch statistics far from
// their moving statistics, so the same input gives different outputs in training and inference. Judged on
// each layer's last training-mode gradient call, so early steps of a healthy run do not count. One finding
// for all such layers, headlined by the worst.
import type { Finding, GradientCallRecord, LayerCallRecord, RunReport } from '../../protocol/report.ts';
import { num, plural } from '../format.ts';
import { callLabel, layerById, layerName } from './context.ts';
import { channelDistances, describeChannels, severityOf } from './batchNormStats.ts';

export const RULE = 'batchnorm-batch-statistics';
/** Mean more than half a standard deviation away, or variance off by more than a factor of 2. */
export const THRESHOLD = 1;

export function batchnormBatchStatistics(report: RunReport): Finding[] {
  const layers = layerById(report);
  const last = new Map<number, { call: GradientCallRecord; record: LayerCallRecord }>();
  for (const call of report.gradientCalls) {
    for (const record of call.layers) if (record.batchNorm && record.mode !== 'inference') last.set(record.layer, { call, record });
  }
  const far = [...last.values()].map(({ call, record }) => {
    const distances = channelDistances(record.batchNorm!);
    const channels = distances.filter((d) => Math.max(d.meanDistance * 2, Math.abs(Math.log2(d.varianceRatio))) > THRESHOLD);
    return { call, record, distances, channels, worst: Math.max(0, ...distances.map(severityOf)) };
  }).filter((f) => f.channels.length > 0).sort((a, b) => b.worst - a.worst);
  if (far.length === 0) return [];
  const head = far[0];
  const id = head.record.layer;
  const name = layerName(layers, id);
  const others = far.length > 1 ? ` ${plural(far.length - 1, 'other BatchNorm layer')} did the same.` : '';
  return [{
    rule: RULE, severity: 'warning', layer: id, ...(far.length > 1 ? { layers: far.map((f) => f.record.layer) } : {}),
    gradientCall: head.call.index, source: layers.get(id)?.source ?? null,
    summary: far.length === 1
      ? `${name} normalises with batch statistics far from its moving statistics`
      : `${far.length} BatchNorm layers (worst: ${name}) normalise with batch statistics far from their moving statistics`,
    message:
      `In ${callLabel(head.call)} ${name} normalised with batch statistics far from its moving statistics in ` +
      `${head.channels.length} of ${plural(head.distances.length, 'channel')} (${describeChannels(head.channels)}; score ${num(head.worst, 3)}). ` +
      `In inference it uses the moving statistics, so its output, and the loss, differ between training and inference.${others}`,
    fix:
      `Normalise the input so batches look alike (scale features to zero mean and unit variance before the model), ` +
      `use larger batches, or let the moving statistics catch up (more steps, or a lower momentum such as 0.9 in ` +
      `tf.layers.batchNormalization({momentum: 0.9})). When fine-tuning, call these layers with {training: false}.`,
  }];
}
