// Helpers the rules share: layer lookup, names, call labels, loss comparison. Numbers and places are written
// by the one format module (../format.ts).
import type { GradientCallRecord, LayerInfo, RunReport } from '../../protocol/report.ts';
import { shortClass } from '../layerClasses.ts';
import { listed, place } from '../format.ts';

export function layerById(report: RunReport): Map<number, LayerInfo> {
  return new Map(report.layers.map((l) => [l.id, l]));
}

/** A layer's name, or its id when the report does not have it. */
export function layerName(layers: Map<number, LayerInfo>, id: number): string {
  return layers.get(id)?.name ?? `layer ${id}`;
}

/** "name (BatchNorm)". */
export function layerLabel(layers: Map<number, LayerInfo>, id: number): string {
  const l = layers.get(id);
  return l ? `${l.name} (${shortClass(l.className)})` : `layer ${id}`;
}

/** The names of several layers for a sentence: "a, b and 25 more". */
export function layerNames(layers: Map<number, LayerInfo>, ids: number[], max = 3): string {
  return listed(ids.map((id) => layerName(layers, id)), max);
}

export function callLabel(call: GradientCallRecord): string {
  return `gradient call ${call.index} (${call.api}${call.source ? ` at ${place(call.source)}` : ''})`;
}

/** Why an inference-mode loss of exactly 0 on a saved model is not a bug: the synthetic batch's targets are
 *  the model's own inference outputs (src/engine/savedModel/probeModel.ts). Empty when that is not the case. */
export function zeroLossNote(report: RunReport, before: number): string {
  return report.target.endsWith('.json') && before === 0
    ? " (0 by construction: the probe's synthetic targets are the model's own inference outputs, so the whole gap comes from the mode)"
    : '';
}
