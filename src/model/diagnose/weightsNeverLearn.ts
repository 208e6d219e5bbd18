// weights-never-learn (warning): a model was trained with fit, fitDataset or trainOnBatch, and some of its layers
// ran in every one of those calls without any of their weights getting a gradient, although that model's
// compile had collected them to train. Typically `model.trainable = false` set after compiling it (to build a
// combined GAN model): tfjs applies the flag to the weights of the model's direct layers at once, and
// variableGrads drops non-trainable variables at every call (tfjs-core/src/gradients.ts, variableGrads;
// tfjs-layers/src/engine/container.ts, set trainable), so its fit and trainOnBatch silently stop training
// them. A base frozen before the model that trains it was compiled (fine-tuning) is left alone.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { plural } from '../format.ts';
import { layerById, layerName, layerNames } from './context.ts';
import { assignment, frozenThrough } from './trainability.ts';

export const RULE = 'weights-never-learn';

export function weightsNeverLearn(report: RunReport): Finding[] {
  const layers = layerById(report);
  // Per (model trained, layer): calls where it ran, and whether any took a gradient of its weights.
  const seen = new Map<string, { model: number; layer: number; calls: number; learned: boolean; first: number }>();
  for (const call of report.gradientCalls) {
    if (call.model == null || call.thinned) continue;
    for (const r of call.layers) {
      if (!r.learns || !layers.get(r.layer)?.compiledBy?.includes(call.model)) continue;
      const key = `${call.model}:${r.layer}`;
      const s = seen.get(key) ?? { model: call.model, layer: r.layer, calls: 0, learned: false, first: call.index };
      s.calls++;
      if (r.learns !== 'none') s.learned = true;
      seen.set(key, s);
    }
  }
  // Grouped by the model trained and the assignment that froze them.
  const groups = new Map<string, { model: number; ids: number[]; calls: number; first: number; freeze: ReturnType<typeof frozenThrough> }>();
  for (const s of seen.values()) {
    if (s.learned) continue;
    const freeze = frozenThrough(layers, s.layer);
    const key = `${s.model}:${freeze?.layer.id ?? ''}`;
    const g = groups.get(key) ?? { model: s.model, ids: [], calls: s.calls, first: s.first, freeze };
    g.ids.push(s.layer);
    g.calls = Math.max(g.calls, s.calls);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const model = layerName(layers, g.model);
    const what = g.ids.length === 1 ? layerName(layers, g.ids[0]) : `${plural(g.ids.length, 'layer')} of ${model}`;
    const cause = g.freeze
      ? ` ${assignment(g.freeze.layer, g.freeze.change)}${g.freeze.change.afterCall > 0 ? `, after ${plural(g.freeze.change.afterCall, 'gradient call')}` : ''} ` +
        `froze them: tfjs applies a model's trainable flag to its direct layers' weights at once, and skips weights ` +
        `that are not trainable in every later call.`
      : ' Their weights, or a model they are in, were set non-trainable after that compile.';
    return {
      rule: RULE, severity: 'warning' as const, layer: g.ids[0], ...(g.ids.length > 1 ? { layers: g.ids } : {}),
      gradientCall: g.first, source: g.freeze?.change.source ?? layers.get(g.ids[0])?.source ?? null,
      summary: `${what} never learn${g.ids.length === 1 ? 's' : ''} in ${model}'s training: no gradient in ${plural(g.calls, 'call')}`,
      message:
        `${model} was compiled to train the weights of ${g.ids.length === 1 ? layerName(layers, g.ids[0]) : layerNames(layers, g.ids)}, ` +
        `but in ${plural(g.calls, 'recorded gradient call')} of its training none of them got a gradient, so they never ` +
        `changed.${cause}`,
      fix: g.freeze?.layer.isContainer
        ? `Set ${g.freeze.layer.name}.trainable = true before training ${model} and back to false before training the ` +
          `model that must keep it frozen (for a GAN: discriminator.trainable = true around discriminator.trainOnBatch, ` +
          `false around combined.trainOnBatch), or build the combined model from a separate frozen copy.`
        : `Set trainable = true on these layers before training ${model}, or re-compile ${model} after freezing them if they ` +
          `are meant to stay frozen (then fit no longer counts on them).`,
    };
  });
}
