// loss-gap (warning): the loss inside the gradient call differs from the inference-mode loss on the same
// batch. One finding per run, at the first call where it happens, with how many probed calls show it.
import type { Finding, RunReport } from '../../protocol.ts';
import { MODE_DEPENDENT_CLASSES } from '../layerClasses.ts';
import { callLabel, fmt, layerById, lossesDiffer } from './context.ts';

export const RULE = 'loss-gap';

export function lossGap(report: RunReport): Finding[] {
  const tol = report.options.lossGapTolerance;
  const gapped = report.gradientCalls.filter((c) => lossesDiffer(c.lossDuring, c.lossBefore, tol));
  if (gapped.length === 0) return [];
  const first = gapped[0];
  const layers = layerById(report);
  const before = first.lossBefore as number;
  const during = first.lossDuring as number;
  const probed = report.gradientCalls.filter((c) => c.lossBefore != null).length;

  // Blame the attributed layers when attribution ran, else the mode-dependent layers that ran in training mode.
  const attributed = (first.attribution ?? []).slice().sort((a, b) => Math.abs(b.share) - Math.abs(a.share));
  const suspects = attributed.length
    ? attributed.map((a) => ({ id: a.layer, share: a.share as number | null }))
    : first.layers
      .filter((l) => l.mode !== 'inference' && MODE_DEPENDENT_CLASSES.has(layers.get(l.layer)?.className ?? ''))
      .map((l) => ({ id: l.layer, share: null }));
  const top = suspects[0] ? layers.get(suspects[0].id) ?? null : null;
  const named = suspects.slice(0, 3).map((s) => {
    const l = layers.get(s.id);
    const share = s.share == null ? '' : `, ${Math.round(s.share * 100)}% of the gap`;
    return l ? `${l.name} (${l.className}${share})` : `layer ${s.id}`;
  });
  const relative = before !== 0 ? ` (${during > before ? '+' : ''}${fmt(((during - before) / Math.abs(before)) * 100, 3)}%)` : '';

  const message =
    `In ${callLabel(first)} the loss was ${fmt(during, 6)}, but the same weights and batch give ${fmt(before, 6)} in ` +
    `inference mode${relative}. ` +
    (named.length
      ? `Layers that behave differently in training mode caused it: ${named.join(', ')}. `
      : 'No layer known to depend on the mode ran in training mode; a custom layer may read kwargs.training. ') +
    (first.unexplained != null && Math.abs(first.unexplained) > tol * Math.max(1, Math.abs(before))
      ? `${fmt(first.unexplained, 3)} of the gap comes from layers acting together, not from any one alone. `
      : '') +
    (first.lossAfter != null && lossesDiffer(first.lossAfter, before, tol)
      ? `Separately, updating the moving statistics moved the inference-mode loss to ${fmt(first.lossAfter, 6)} after the call. `
      : '') +
    `${gapped.length} of ${probed} probed gradient calls show a gap over the tolerance (${tol} relative).`;

  const fix = top?.className === 'BatchNormalization'
    ? `Judge the model by its inference-mode loss (model.evaluate, or the loss of model.predict), not by the value the ` +
      `gradient call returns: in training mode ${top.name} normalises with the batch's statistics and updates its ` +
      `moving statistics. If the layer should act as in inference while you train (fine-tuning, small batches), call ` +
      `the model with {training: false} inside the loss closure.`
    : top
      ? `Judge the model by its inference-mode loss (model.evaluate or model.predict). ${top.name} (${top.className}) ` +
        `is active only in training mode, so the loss inside the gradient call is expected to differ.`
      : `Check which layers read kwargs.training in your model, and compare the inference-mode loss (model.evaluate).`;

  return [{
    rule: RULE, severity: 'warning', layer: top?.id ?? null, gradientCall: first.index,
    source: top?.source ?? first.source, message, fix,
  }];
}
