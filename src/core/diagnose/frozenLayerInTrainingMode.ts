// frozen-layer-in-training-mode (warning): a layer with trainable = false still ran in training mode and updated
// its moving statistics. tfjs does this, unlike Keras 2+ (where a frozen BatchNormalization runs in inference
// mode), and it bites fine-tuning code ported from Python.
import type { Finding, RunReport } from '../../protocol.ts';
import { callLabel, layerById } from './context.ts';

export const RULE = 'frozen-layer-in-training-mode';

export function frozenLayerInTrainingMode(report: RunReport): Finding[] {
  const layers = layerById(report);
  const flagged = new Set<number>();
  const findings: Finding[] = [];
  for (const call of report.gradientCalls) {
    for (const r of call.layers) {
      if (flagged.has(r.layer) || r.trainable || r.mode === 'inference' || !r.batchNorm) continue;
      const bn = r.batchNorm;
      const moved = bn.movingMeanAfter.some((v, i) => v !== bn.movingMeanBefore[i]) ||
        bn.movingVarianceAfter.some((v, i) => v !== bn.movingVarianceBefore[i]);
      if (!moved) continue;
      flagged.add(r.layer);
      const layer = layers.get(r.layer);
      findings.push({
        rule: RULE, severity: 'warning', layer: r.layer, gradientCall: call.index, source: layer?.source ?? null,
        message:
          `${layer?.name ?? `layer ${r.layer}`} has trainable = false, yet in ${callLabel(call)} it ran in training mode: it ` +
          `normalised with batch statistics and updated its moving statistics. tfjs does not tie the mode to trainable ` +
          `(Keras 2+ does), so a frozen BatchNormalization keeps changing during fine-tuning.`,
        fix:
          `Run the frozen part in inference mode: in a custom loop call it with {training: false} ` +
          `(base.apply(x, {training: false})); with model.fit, build the model so the frozen base is called with ` +
          `{training: false}, e.g. precompute its features with base.predict(x) and fit only the head.`,
      });
    }
  }
  return findings;
}
