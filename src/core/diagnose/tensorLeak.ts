// tensor-leak (warning): live tensors grow steadily across gradient calls.
import type { Finding, RunReport } from '../../protocol.ts';
import { place } from './context.ts';

export const RULE = 'tensor-leak';
const MIN_CALLS = 5;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function tensorLeak(report: RunReport): Finding[] {
  const calls = report.gradientCalls;
  if (calls.length < MIN_CALLS) return [];
  // Steady growth: the count rises in most intervals, not in a few jumps (a model built mid-run).
  const tail = calls.slice(Math.floor(calls.length / 2));
  const xs = tail.map((c) => c.index);
  const ys = tail.map((c) => c.numTensors);
  const perCall = slope(xs, ys);
  const rising = tail.slice(1).filter((c, i) => c.numTensors > tail[i].numTensors).length;
  if (perCall < 0.5 || rising < 0.8 * (tail.length - 1)) return [];
  const last = calls[calls.length - 1];
  return [{
    rule: RULE, severity: 'warning', layer: null, gradientCall: last.index, source: last.source,
    message:
      `Live tensors grow by about ${perCall.toFixed(1)} per gradient call (${calls[0].numTensors} after call ` +
      `${calls[0].index}, ${last.numTensors} after call ${last.index}), at ${place(last.source)}. Memory will run out on long runs.`,
    fix:
      'Dispose what each step returns: tf.dispose([value, grads]) after optimizer.applyGradients(grads), or wrap the ' +
      'step in tf.tidy(() => …) and return only what you keep. optimizer.minimize(f) disposes its gradients itself.',
  }];
}
