// dropout-in-gradient (info): Dropout (or a noise layer) was active in the gradient call, so the loss there is
// computed with units dropped or noise added: stochastic, and different from inference by design.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { percent, relativeChange } from '../format.ts';
import { NOISE_CLASSES } from '../layerClasses.ts';
import { callLabel, layerById, layerName, layerNames } from './context.ts';

export const RULE = 'dropout-in-gradient';

export function dropoutInGradient(report: RunReport): Finding[] {
  const layers = layerById(report);
  const isNoise = (id: number) => NOISE_CLASSES.has(layers.get(id)?.className ?? '');
  const active = (c: RunReport['gradientCalls'][number]) => c.layers.filter((r) => r.mode !== 'inference' && isNoise(r.layer));
  // The first call where they were active, preferably a probed one (it tells the direction of the gap).
  const calls = report.gradientCalls.filter((c) => active(c).length > 0);
  if (calls.length === 0) return [];
  const call = calls.find((c) => c.lossBefore != null && c.lossDuring != null) ?? calls[0];
  const ids = active(call).map((r) => r.layer);
  const share = call.attribution?.filter((a) => ids.includes(a.layer)).reduce((s, a) => s + a.share, 0);
  const change = relativeChange(call.lossBefore, call.lossDuring);
  const direction = change && call.lossBefore != null && call.lossDuring != null
    ? ` In this call the loss inside the gradient call was ${call.lossDuring > call.lossBefore ? 'higher' : 'lower'} than in inference mode (${change}` +
      `${share != null ? `; ${percent(share)} of the gap came from ${ids.length === 1 ? 'this layer' : 'these layers'}` : ''}).`
    : '';
  const what = ids.length === 1 ? layerName(layers, ids[0]) : `${ids.length} dropout and noise layers (${layerNames(layers, ids)})`;
  return [{
    rule: RULE, severity: 'info', layer: ids[0], ...(ids.length > 1 ? { layers: ids } : {}), gradientCall: call.index,
    source: layers.get(ids[0])?.source ?? null,
    summary: `${what} ${ids.length === 1 ? 'is' : 'are'} active inside gradient calls: the training loss is noisy by design`,
    message:
      `${what} ${ids.length === 1 ? 'was' : 'were'} active in ${callLabel(call)}${calls.length > 1 ? ` and ${calls.length - 1} other recorded calls` : ''}: ` +
      `the loss inside the gradient call is computed with units dropped or noise added, so it is noisy and differs ` +
      `from the inference-mode loss by design.${direction}`,
    fix: 'Nothing to fix. Track model.evaluate (inference mode) on held-out data to judge the model, not the training loss.',
  }];
}
