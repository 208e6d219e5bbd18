// frozen-layer-in-training-mode (warning): BatchNormalization layers that are frozen (their own trainable =
// false, or a model they run in was frozen) still ran in training mode and moved their moving statistics.
// tfjs ties the mode to the call, not to trainable (BatchNormalization.call reads only kwargs.training:
// tfjs-layers/src/layers/normalization.ts; fit passes training: true: engine/training.ts), unlike Keras 2+,
// so a frozen base keeps changing while the head trains. One finding per cause: the layer or model frozen.
import type { Finding, GradientCallRecord, RunReport } from '../../protocol/report.ts';
import { plural } from '../format.ts';
import { callLabel, layerById, layerName } from './context.ts';
import { assignment, freezingOf } from './trainability.ts';

export const RULE = 'frozen-layer-in-training-mode';

export function frozenLayerInTrainingMode(report: RunReport): Finding[] {
  const layers = layerById(report);
  const byCause = new Map<number, { ids: Set<number>; first: GradientCallRecord }>();
  for (const call of report.gradientCalls) {
    for (const r of call.layers) {
      const frozen = r.frozenBy != null || !r.trainable;
      if (!frozen || r.mode === 'inference' || !r.batchNorm) continue;
      const bn = r.batchNorm;
      const moved = bn.movingMeanAfter.some((v, i) => v !== bn.movingMeanBefore[i]) ||
        bn.movingVarianceAfter.some((v, i) => v !== bn.movingVarianceBefore[i]);
      if (!moved) continue;
      const cause = r.frozenBy ?? r.layer;
      const group = byCause.get(cause) ?? { ids: new Set<number>(), first: call };
      group.ids.add(r.layer);
      byCause.set(cause, group);
    }
  }
  return [...byCause].map(([cause, { ids, first }]) => {
    const list = [...ids];
    const causeLayer = layers.get(cause);
    const change = freezingOf(causeLayer);
    const self = list.length === 1 && list[0] === cause;
    const subject = self
      ? `${layerName(layers, cause)} is frozen (trainable = false${change?.source ? `, set at ${change.source.file.split(/[\\/]/).pop()}:${change.source.line}` : ''}), yet it`
      : `${plural(list.length, 'BatchNorm layer')} in the frozen ${causeLayer?.isContainer ? 'model' : 'layer'} ${layerName(layers, cause)}` +
        `${change && causeLayer ? ` (${assignment(causeLayer, change)})` : ''} still`;
    return {
      rule: RULE, severity: 'warning' as const, layer: list[0], ...(list.length > 1 ? { layers: list } : {}),
      gradientCall: first.index, source: change?.source ?? causeLayer?.source ?? layers.get(list[0])?.source ?? null,
      summary: self
        ? `${layerName(layers, cause)} is frozen but runs in training mode: it keeps moving its statistics`
        : `${plural(list.length, 'BatchNorm layer')} in the frozen ${layerName(layers, cause)} still run in training mode and move their statistics`,
      message:
        `${subject} ran in training mode in ${callLabel(first)}: ${self ? 'it' : 'they'} normalised with batch statistics and ` +
        `moved ${self ? 'its' : 'their'} moving statistics. tfjs runs a layer in ` +
        `the mode of the call, whatever trainable says (Keras 2+ runs a frozen BatchNormalization in inference mode), ` +
        `so the frozen part keeps changing while the rest trains, and the model behaves differently once deployed.`,
      fix:
        `Call the frozen part in inference mode. In a custom loop: ${causeLayer?.isContainer ? layerName(layers, cause) : 'base'}.apply(x, {training: false}) ` +
        `inside the loss closure. With model.fit: wrap the frozen part in a small custom layer whose call runs ` +
        `base.apply(inputs, {training: false}), or precompute its features once with base.predict(x) and fit only the ` +
        `head on them.`,
    };
  });
}
