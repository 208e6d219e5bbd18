// running-stats-frozen (warning): a BatchNormalization layer ran in inference mode in every gradient call of a
// training run, so its moving statistics never update. Usually a missing {training: true}.
import type { Finding, RunReport } from '../../protocol.ts';
import { callLabel, layerById } from './context.ts';

export const RULE = 'running-stats-frozen';

export function runningStatsFrozen(report: RunReport): Finding[] {
  const layers = layerById(report);
  const seen = new Map<number, { calls: number; training: boolean; first: RunReport['gradientCalls'][number] }>();
  for (const call of report.gradientCalls) {
    for (const r of call.layers) {
      if (!r.batchNorm) continue;
      const s = seen.get(r.layer) ?? { calls: 0, training: false, first: call };
      s.calls++;
      if (r.mode !== 'inference') s.training = true;
      seen.set(r.layer, s);
    }
  }
  const findings: Finding[] = [];
  for (const [id, s] of seen) {
    const layer = layers.get(id);
    if (s.training || !layer?.trainable) continue;
    findings.push({
      rule: RULE, severity: 'warning', layer: id, gradientCall: s.first.index, source: layer.source,
      message:
        `${layer.name} ran in inference mode in all ${s.calls} recorded gradient calls (the first: ${callLabel(s.first)}). ` +
        `It normalises with moving statistics that never update (they stay at their initial values unless loaded), ` +
        `while its gamma and beta train against them.`,
      fix:
        `Pass {training: true} where the loss closure calls the model: model.apply(x, {training: true}) ` +
        `(a bare model.apply(x) or model.predict(x) runs in inference mode). If the layer is meant to stay frozen, ` +
        `set layer.trainable = false as well.`,
    });
  }
  return findings;
}
