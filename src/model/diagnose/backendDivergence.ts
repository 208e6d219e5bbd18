// backend-divergence (error when a backend makes NaN or Inf that cpu does not, warning when it differs beyond
// the tolerance): the cross-backend check (src/engine/probes/backendCheck.ts) replayed a gradient call's
// forward pass on cpu and a layer's output on the run's backend (webgl, webgpu) came out different. That is a
// bug of the backend or the device (tfjs issues #5145, #1321, #5800, #3267), not of the model.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { percent } from '../format.ts';
import { callLabel, layerById, layerLabel } from './context.ts';

export const RULE = 'backend-divergence';

export function backendDivergence(report: RunReport): Finding[] {
  const backend = report.tfjs?.backend ?? 'this backend';
  const layers = layerById(report);
  const fix =
    `Run the same training on another backend to confirm (tf.setBackend('cpu') or 'wasm' before training). On webgl, ` +
    `try without packing and half-float textures (tf.env().set('WEBGL_PACK', false); tf.env().set('WEBGL_FORCE_F16_TEXTURES', false)), ` +
    `update tfjs, and report the layer, its op and this report to tfjs if it persists.`;
  for (const call of report.gradientCalls) {
    const check = call.backendCheck;
    if (!check) continue;
    const where = check.examples ? ` (compared in the batch's first ${check.examples.compared} of ${check.examples.of} examples)` : '';
    if (check.firstNonFinite != null) {
      const id = check.firstNonFinite;
      return [{
        rule: RULE, severity: 'error', layer: id, gradientCall: call.index, source: layers.get(id)?.source ?? null,
        summary: `On ${backend}, ${layerLabel(layers, id)} outputs NaN or Inf where the cpu backend's output is finite`,
        message:
          `The forward pass of ${callLabel(call)}, replayed on the cpu backend, gives finite outputs for ${layerLabel(layers, id)}, ` +
          `but on ${backend} its output held NaN or Inf${where}: the backend or the device computes it wrong, not the model.`,
        fix,
      }];
    }
    if (check.firstDivergent) {
      const { layer: id, error } = check.firstDivergent;
      return [{
        rule: RULE, severity: 'warning', layer: id, gradientCall: call.index, source: layers.get(id)?.source ?? null,
        summary: `On ${backend}, ${layerLabel(layers, id)} computes an output ${percent(error)} off the cpu backend's`,
        message:
          `The forward pass of ${callLabel(call)}, replayed on the cpu backend layer by layer, agrees with ${backend} within ` +
          `${percent(check.tolerance)} up to ${layerLabel(layers, id)}, whose output differs by ${percent(error)} (largest ` +
          `difference relative to the output's largest value)${where}. Later layers inherit it.`,
        fix,
      }];
    }
  }
  return [];
}
