// dropout-in-gradient (info): Dropout was active in the gradient call, so the loss there is stochastic and
// differs from inference by design.
import type { Finding, RunReport } from '../../protocol.ts';
import { callLabel, layerById } from './context.ts';

export const RULE = 'dropout-in-gradient';
const DROPOUT = new Set(['Dropout', 'SpatialDropout1D', 'GaussianDropout', 'AlphaDropout', 'GaussianNoise']);

export function dropoutInGradient(report: RunReport): Finding[] {
  const layers = layerById(report);
  for (const call of report.gradientCalls) {
    const active = call.layers.filter((r) => r.mode !== 'inference' && DROPOUT.has(layers.get(r.layer)?.className ?? ''));
    if (active.length === 0) continue;
    const first = layers.get(active[0].layer);
    const names = active.map((r) => layers.get(r.layer)?.name ?? `layer ${r.layer}`).join(', ');
    const share = call.attribution?.filter((a) => active.some((r) => r.layer === a.layer)).reduce((s, a) => s + a.share, 0);
    return [{
      rule: RULE, severity: 'info', layer: active[0].layer, gradientCall: call.index, source: first?.source ?? null,
      message:
        `${names} ${active.length === 1 ? 'was' : 'were'} active in ${callLabel(call)} and later ones: the loss inside ` +
        `the gradient call is computed with random units dropped, so it is noisy and higher than the inference-mode loss ` +
        `by design${share != null ? ` (here ${Math.round(share * 100)}% of the gap)` : ''}.`,
      fix: 'Nothing to fix. Track model.evaluate (inference mode) on held-out data to judge the model, not the training loss.',
    }];
  }
  return [];
}
