// freeze-undone (warning): the script set `trainable = false` on a layer or model, yet later gradient calls of
// another model (or of a custom loop) still took gradients of the weights it covers, so training kept changing
// what was meant to stay fixed. tfjs 4.22 does this to a tf.sequential frozen as a layer of another
// tf.sequential: the outer model's build (inside compile) sets `this.model.trainable = this.trainable` on the model
// it wraps, which sets every weight inside it trainable again (tfjs-layers/src/models.ts, Sequential.build;
// engine/container.ts, set trainable), and compile collects them to train. Calls of the frozen model itself are
// left out: a GAN's discriminator frozen for the combined model is meant to train in its own trainOnBatch.
import type { Finding, GradientCallRecord, LayerInfo, RunReport } from '../../protocol/report.ts';
import { plural } from '../format.ts';
import { callLabel, layerById, layerNames } from './context.ts';
import { assignment } from './trainability.ts';

export const RULE = 'freeze-undone';

/** The layer and every layer inside it (through the report's parent links). */
function subtree(report: RunReport, root: number): Set<number> {
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const l of report.layers) {
      if (!out.has(l.id) && l.parents.some((p) => out.has(p))) {
        out.add(l.id);
        grew = true;
      }
    }
  }
  return out;
}

function finding(frozen: LayerInfo, change: NonNullable<LayerInfo['trainableChanges']>[number], learned: number[], first: GradientCallRecord, calls: number,
  layers: Map<number, LayerInfo>): Finding {
  const sequential = frozen.isContainer && frozen.className === 'Sequential';
  const why = sequential
    ? ` tfjs 4.22 undoes it when ${frozen.name} is a layer of another tf.sequential: that model, when it is built (at compile), ` +
      `sets every weight inside ${frozen.name} trainable again, and compile collects them to train.`
    : ' Something set those weights trainable again after it (a model that contains them set trainable = true, or a re-build).';
  return {
    rule: RULE, severity: 'warning', layer: learned[0], ...(learned.length > 1 ? { layers: learned } : {}),
    gradientCall: first.index, source: change.source ?? frozen.source,
    summary: `${frozen.name}.trainable = false did not hold: ${plural(learned.length, 'layer')} in it still ${learned.length === 1 ? 'trains' : 'train'}`,
    message:
      `${assignment(frozen, change)} should keep ${frozen.isContainer ? 'its layers' : 'it'} fixed, yet in ${plural(calls, 'later gradient call')} ` +
      `(the first: ${callLabel(first)}) the weights of ${layerNames(layers, learned)} got gradients, so training kept changing them.${why}`,
    fix: frozen.isContainer
      ? `Freeze the layers themselves before compiling: ${frozen.name}.layers.forEach((l) => { l.trainable = false; }) (a layer's own flag ` +
        `survives the outer model's build), and check model.trainableWeights after compile.`
      : `Set ${frozen.name}.trainable = false after anything that sets its model trainable, before compile, and check model.trainableWeights after compile.`,
  };
}

export function freezeUndone(report: RunReport): Finding[] {
  const layers = layerById(report);
  const out: Finding[] = [];
  for (const frozen of report.layers) {
    const changes = frozen.trainableChanges ?? [];
    const change = changes[changes.length - 1];
    if (!change || change.value) continue;
    const covered = subtree(report, frozen.id);
    const learned = new Set<number>();
    let first: GradientCallRecord | null = null;
    let calls = 0;
    for (const call of report.gradientCalls) {
      if (call.index <= change.afterCall || call.thinned || (call.model != null && covered.has(call.model))) continue;
      const hit = call.layers.filter((r) => covered.has(r.layer) && (r.learns === 'all' || r.learns === 'some'));
      if (hit.length === 0) continue;
      for (const r of hit) learned.add(r.layer);
      first ??= call;
      calls++;
    }
    if (first) out.push(finding(frozen, change, [...learned], first, calls, layers));
  }
  return out;
}
