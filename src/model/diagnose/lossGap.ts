// loss-gap (warning): the loss inside the gradient call differs from the inference-mode loss on the same
// batch. One finding per run, headlined by the probed call with the largest gap, naming the layers that
// cause it with their share (from attribution), and what no layer alone explains. An info, not a warning, when,
// in every call with a gap, the layers that read the mode only drop units or add noise (Dropout
// and friends): that gap is by design, and dropout-in-gradient says so (found on tfjs-examples' mnist-node).
import type { Finding, GradientCallRecord, LayerInfo, RunReport } from '../../protocol/report.ts';
import { MODE_DEPENDENT_CLASSES, mayDependOnMode, NOISE_CLASSES, shortClass } from '../layerClasses.ts';
import { loss, percent, plural, relativeChange, shareOfGap } from '../format.ts';
import { lossesDiffer, relativeGap } from '../lossGaps.ts';
import { callLabel, layerById, layerLabel, zeroLossNote } from './context.ts';

export const RULE = 'loss-gap';
/** Layers whose share of the gap is smaller than this are not named as its cause. */
const NAMED_SHARE = 0.05;

export function lossGap(report: RunReport): Finding[] {
  const tol = report.options.lossGapTolerance;
  const gapped = report.gradientCalls.filter((c) => lossesDiffer(c.lossDuring, c.lossBefore, tol));
  if (gapped.length === 0) return [];
  // The headline is the largest gap; among calls with attribution, if any ran, so that its causes are known.
  const attributed = gapped.filter((c) => c.attribution?.length);
  const pool = attributed.length ? attributed : gapped;
  const call = pool.reduce((a, b) => (relativeGap(b.lossDuring as number, b.lossBefore as number) > relativeGap(a.lossDuring as number, a.lossBefore as number) ? b : a));
  const layers = layerById(report);
  const before = call.lossBefore as number;
  const during = call.lossDuring as number;
  const probed = report.gradientCalls.filter((c) => c.lossBefore != null).length;
  const change = relativeChange(before, during);

  // The layers that make the gap, largest share first, then those that narrow it (a negative share).
  const shares = [
    ...(call.attribution ?? []).filter((a) => a.share >= NAMED_SHARE).sort((a, b) => b.share - a.share),
    ...(call.attribution ?? []).filter((a) => a.share <= -NAMED_SHARE).sort((a, b) => a.share - b.share),
  ];
  const suspects = shares.length
    ? shares.map((a) => a.layer)
    : call.attribution?.length
      ? call.attribution.map((a) => a.layer)
      : call.layers.filter((l) => l.mode !== 'inference' && MODE_DEPENDENT_CLASSES.has(layers.get(l.layer)?.className ?? '')).map((l) => l.layer);
  const top = suspects.length ? layers.get(suspects[0]) ?? null : null;
  const gap = during - before;
  const unexplained = call.unexplained != null && gap !== 0 ? call.unexplained / gap : null;

  const attributedLayers = call.attribution?.length ?? 0;
  const causes = shares.length
    ? `Replayed one at a time in training mode, ${shares.slice(0, 4).map((a) => `${layerLabel(layers, a.layer)} gives ${shareOfGap(a.share)}`).join(', ')}` +
      `${shares.length > 4 ? `, and ${shares.length - 4} more layers the rest` : ''}. `
    : attributedLayers
      ? `Replayed one at a time in training mode, none of the ${plural(attributedLayers, 'mode-dependent layer')} gives ${percent(NAMED_SHARE)} of the gap or more. `
      : suspects.length
      ? `Layers that behave differently in training mode ran in it: ${suspects.slice(0, 4).map((id) => layerLabel(layers, id)).join(', ')} (attribution did not run on this call). `
      : 'A layer that reads kwargs.training (a custom one) ran in training mode. ';
  const interaction = unexplained != null && Math.abs(unexplained) >= NAMED_SHARE
    ? `${percent(Math.abs(unexplained))} of the gap comes from layers acting together, not from any one layer alone. `
    : '';
  const after = call.lossAfter != null && lossesDiffer(call.lossAfter, before, tol)
    ? `Separately, the moving statistics the call updated moved the inference-mode loss to ${loss(call.lossAfter)}. `
    : '';
  const cause = top && ((shares.length && shares[0].share > 0) || suspects.length === 1)
    ? `${top.name} (${shortClass(top.className)}) in training mode`
    : suspects.length > 1 ? `${suspects.length} mode-dependent layers in training mode, together,` : 'Training mode';
  const verb = suspects.length > 1 && !shares.length ? 'change' : 'changes';
  const summary = `${cause} ${verb} the loss inside the gradient call: ${loss(during)} against ${loss(before)} in inference mode${change ? ` (${change})` : ''}`;
  const message =
    `In ${callLabel(call)} the loss was ${loss(during)}, but the same weights and batch give ${loss(before)} in ` +
    `inference mode${zeroLossNote(report, before)}${change ? ` (${change})` : ''}. ${causes}${interaction}${after}` +
    `${gapped.length} of ${probed} probed gradient calls show a gap over the tolerance (${tol} relative); this one is the largest` +
    `${attributed.length && attributed.length < gapped.length ? ' of those attributed' : ''}.`;

  const fix = top?.className === 'BatchNormalization'
    ? `Judge the model by its inference-mode loss (model.evaluate, or the loss of model.predict), not by the value the ` +
      `gradient call returns: in training mode ${top.name} normalises with the batch's statistics and updates its ` +
      `moving statistics. If the layer should act as in inference while you train (fine-tuning, small batches), call ` +
      `the model with {training: false} inside the loss closure.`
    : top
      ? `Judge the model by its inference-mode loss (model.evaluate or model.predict). ${top.name} (${top.className}) ` +
        `behaves differently in training mode, so the loss inside the gradient call is expected to differ.`
      : `Check which layers read kwargs.training in your model, and compare the inference-mode loss (model.evaluate).`;

  // By design only when, in every call with a gap, the layers that read the mode are Dropout and noise layers.
  const byDesign = gapped.every((c) => {
    const readers = modeReaders(c, layers);
    return readers.length > 0 && readers.every((id) => NOISE_CLASSES.has(layers.get(id)?.className ?? ''));
  });
  return [{
    rule: RULE, severity: byDesign ? 'info' : 'warning', layer: top?.id ?? null, ...(suspects.length > 1 ? { layers: suspects } : {}),
    gradientCall: call.index, source: top?.source ?? call.source, summary, message, fix,
  }];
}

/** The layers that read the mode in a call: those attribution replayed (the replay saw them read
 *  kwargs.training), else those that ran in training mode and whose class may depend on it. */
function modeReaders(call: GradientCallRecord, layers: Map<number, LayerInfo>): number[] {
  return call.attribution?.length
    ? call.attribution.map((a) => a.layer)
    : call.layers.filter((l) => l.mode !== 'inference' && mayDependOnMode(layers.get(l.layer)?.className ?? '')).map((l) => l.layer);
}
