// nan-or-inf (error): the first layer, in execution order, whose output holds NaN or Inf, with the first
// gradient call where it happened. Later layers that only inherit it are not blamed.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { callLabel, layerById } from './context.ts';

export const RULE = 'nan-or-inf';

export function nanOrInf(report: RunReport): Finding[] {
  const layers = layerById(report);
  for (const call of report.gradientCalls) {
    const first = call.layers.find((r) => r.nonFinite > 0);
    const badLoss = call.lossDuring != null && !Number.isFinite(call.lossDuring);
    // An infinite norm can be a float32 overflow of huge but finite gradients; NaN cannot.
    const badGrad = call.weights.find((w) => w.norm != null && Number.isNaN(w.norm));
    if (!first && !badLoss && !badGrad) continue;
    if (first) {
      const layer = layers.get(first.layer);
      const index = call.layers.indexOf(first);
      return [{
        rule: RULE, severity: 'error', layer: first.layer, gradientCall: call.index, source: layer?.source ?? null,
        summary: `${layer?.name ?? `layer ${first.layer}`} is the first layer whose output holds NaN or Inf (gradient call ${call.index})`,
        message:
          `${layer?.name ?? `layer ${first.layer}`} (${layer?.className ?? 'layer'}) is the first layer whose output held ` +
          `NaN or Inf (${first.nonFinite} values) in ${callLabel(call)}` +
          (index === 0 ? ', the first layer to run: check the input data too.' : '; the layers before it were finite.') +
          (first.gradNorm != null && !Number.isFinite(first.gradNorm) ? ' Its gradients are not finite either.' : ''),
        fix:
          'Lower the learning rate or clip gradients (tf.train.adam(lr) with a smaller lr; clip with tf.clipByValue), ' +
          'check the input for NaN/Inf and constant features divided by a zero std, and guard log/sqrt/division in ' +
          'custom code with an epsilon.',
      }];
    }
    return [{
      rule: RULE, severity: 'error', layer: null, gradientCall: call.index, source: call.source,
      summary: badLoss ? `The loss is ${call.lossDuring} in gradient call ${call.index}, with every layer finite` : `A gradient is NaN in gradient call ${call.index}`,
      message: badLoss
        ? `The loss of ${callLabel(call)} is ${call.lossDuring} while every layer's output is finite: the loss function produced it.`
        : `The gradient of ${badGrad!.name} is NaN in ${callLabel(call)}.`,
      fix: 'Guard the loss against log(0) and division by zero (add an epsilon, clip predictions), and lower the learning rate.',
    }];
  }
  return [];
}
