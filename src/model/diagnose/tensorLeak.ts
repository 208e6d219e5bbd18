// tensor-leak (warning): live tensors grow across gradient calls and do not come back. The count is taken as
// each call starts (the same point of every step), and the least count over each third of the recorded
// calls is compared: tensors a step keeps until its end, an epoch's batch logs that fit disposes at epoch end,
// and first-use allocations (optimizer slots, a re-compile) do not raise the least count of the later thirds.
// The growth must go on between the last two thirds, at a rate of at least MIN_RATE per call, and still be
// there when the run ends. The place that created the tensors comes from the sample the engine takes while
// the count grows (leakWatch.ts).
import type { Finding, GradientCallRecord, RunReport } from '../../protocol/report.ts';
import { num, place } from '../format.ts';

export const RULE = 'tensor-leak';
/** Calls with a count needed before anything is judged. */
export const MIN_CALLS = 20;
const MIN_RISE = 5;
const MIN_RATE = 0.2;

export function tensorLeak(report: RunReport): Finding[] {
  if (report.status !== 'completed' || !report.memory) return [];
  const calls = report.gradientCalls.filter((c): c is GradientCallRecord & { numTensorsBefore: number } => c.numTensorsBefore != null);
  if (calls.length < MIN_CALLS) return [];
  const third = Math.floor(calls.length / 3);
  const [b, c] = [calls.slice(third, 2 * third), calls.slice(2 * third)];
  const least = (xs: typeof calls) => Math.min(...xs.map((x) => x.numTensorsBefore));
  const rise = least(c) - least(b);
  const span = c[0].index - b[0].index;
  if (rise < Math.max(MIN_RISE, MIN_RATE * span)) return [];
  // Confirmed when the run ends with them still alive.
  const stayed = report.memory.tensorsAtEnd - least(b);
  if (stayed < rise / 2) return [];
  const perCall = rise / span;
  const last = calls[calls.length - 1];
  const site = report.leakSites?.[0];
  const sampled = report.leakSites?.reduce((s, x) => s + x.alive, 0) ?? 0;
  const where = site?.source
    ? ` Of the tensors created while the debugger sampled (three calls, or more until the count rose again) that were still alive 10 calls later, ${site.alive} of ${sampled} were created at ${place(site.source)}.`
    : '';
  return [{
    rule: RULE, severity: 'warning', layer: null, gradientCall: last.index, source: site?.source ?? last.source,
    summary: `Live tensors grow by about ${num(perCall, 2)} per gradient call and are not freed${site?.source ? ` (created at ${place(site.source)})` : ''}`,
    message:
      `Live tensors at the start of each gradient call grew by about ${num(perCall, 2)} per call (least count ${least(b)} ` +
      `from call ${b[0].index}, ${least(c)} from call ${c[0].index}), and ${stayed} were still alive when the run ended.${where} ` +
      `Memory will run out on long runs.`,
    fix:
      'Dispose what each step creates and does not keep: tf.dispose([value, grads]) after optimizer.applyGradients(grads), ' +
      'dispose each batch after use, or wrap the step in tf.tidy(() => …) and return only what you keep. ' +
      'optimizer.minimize(f) disposes its gradients itself.',
  }];
}
