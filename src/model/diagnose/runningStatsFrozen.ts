// running-stats-frozen (warning): BatchNormalization layers that train (their gamma and beta get gradients) ran
// in inference mode in every gradient call, so their moving statistics never update. Usually a missing
// {training: true}. Layers frozen on purpose, and layers the user's code put in inference mode on purpose
// ({training: false} in the loss closure: what loss-gap's fix suggests), are left out. One finding for all of them.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { plural } from '../format.ts';
import { callLabel, layerById, layerName } from './context.ts';

export const RULE = 'running-stats-frozen';

export function runningStatsFrozen(report: RunReport): Finding[] {
  const layers = layerById(report);
  const seen = new Map<number, { calls: number; training: boolean; frozen: boolean; first: RunReport['gradientCalls'][number] }>();
  for (const call of report.gradientCalls) {
    for (const r of call.layers) {
      if (!r.batchNorm) continue;
      const s = seen.get(r.layer) ?? { calls: 0, training: false, frozen: false, first: call };
      s.calls++;
      if (r.mode !== 'inference') s.training = true;
      if (!r.trainable || r.frozenBy != null || r.learns === 'none' || r.inferenceAsked) s.frozen = true;
      seen.set(r.layer, s);
    }
  }
  const frozen = [...seen].filter(([id, s]) => !s.training && !s.frozen && layers.get(id)?.trainable !== false);
  if (frozen.length === 0) return [];
  const [id, s] = frozen[0];
  const name = frozen.length === 1 ? layerName(layers, id) : `${frozen.length} BatchNorm layers (${layerName(layers, id)} first)`;
  return [{
    rule: RULE, severity: 'warning', layer: id, ...(frozen.length > 1 ? { layers: frozen.map(([l]) => l) } : {}),
    gradientCall: s.first.index, source: layers.get(id)?.source ?? null,
    summary: `${name} ${frozen.length === 1 ? 'runs' : 'run'} in inference mode in every gradient call: moving statistics never update`,
    message:
      `${name} ran in inference mode in all ${plural(s.calls, 'recorded gradient call')} (the first: ${callLabel(s.first)}), ` +
      `yet ${frozen.length === 1 ? 'its' : 'their'} gamma and beta train. ${frozen.length === 1 ? 'It normalises' : 'They normalise'} with ` +
      `moving statistics that never update (they stay at their initial values unless loaded).`,
    fix:
      `Pass {training: true} where the loss closure calls the model: model.apply(x, {training: true}) ` +
      `(a bare model.apply(x) or model.predict(x) runs in inference mode). If the layers are meant to stay frozen, ` +
      `set layer.trainable = false as well.`,
  }];
}
