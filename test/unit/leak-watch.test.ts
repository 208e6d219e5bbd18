// When the leak watch starts noting where tensors are created (src/engine/taps/leakWatch.ts): not for what the
// first optimizer steps allocate once (a GAN's two optimizers create their slots in calls 1 and 2), and it does
// for counts that keep rising.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LeakWatch } from '../../src/engine/taps/leakWatch.ts';
import { readFileSync } from 'node:fs';
import { defaultIsInternal } from '../../src/engine/callSites.ts';

const LEAK_LINE = readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.endsWith('// LEAKS ' + 'HERE')) + 1;

/** The calls at which the watch began and stopped sampling (it replaces engine.trackTensor meanwhile). */
function sampling(counts: number[]): { start: number | null; end: number | null } {
  const engine = tf.engine() as unknown as { trackTensor: unknown };
  const original = engine.trackTensor;
  const watch = new LeakWatch(tf as never, defaultIsInternal, () => undefined);
  let start: number | null = null;
  try {
    for (let i = 0; i < counts.length; i++) {
      watch.callStarts(i + 1, counts[i]);
      if (start == null && engine.trackTensor !== original) start = i + 1;
      if (start != null && engine.trackTensor === original) return { start, end: i + 1 };
    }
    return { start, end: null };
  } finally {
    watch.uninstall();
    assert.equal(engine.trackTensor, original);
  }
}
const samplingStart = (counts: number[]) => sampling(counts).start;

test('optimizer slots made in the first two calls start no sample; steady growth does', () => {
  const gan = Array.from({ length: 60 }, (_, i) => (i === 0 ? 18 : i === 1 ? 27 : 38 + (i % 2)));
  assert.equal(samplingStart(gan), null);
  const fit = Array.from({ length: 60 }, (_, i) => (i === 0 ? 13 : 24));
  assert.equal(samplingStart(fit), null);
  const leak = Array.from({ length: 60 }, (_, i) => 10 + 3 * i);
  assert.equal(samplingStart(leak), 22, 'two windows of ten calls after the first two');
});

test('a sample lasts three calls under steady growth, and on to the next step of growth that comes in steps', () => {
  assert.deepEqual(sampling(Array.from({ length: 60 }, (_, i) => 10 + 3 * i)), { start: 22, end: 25 });
  // Tensors leaked between fit calls: 80 more every 8 calls (lstm-text-generation); the sample reaches the next step.
  const steps = Array.from({ length: 60 }, (_, i) => 26 + 80 * Math.floor(i / 8));
  const { start, end } = sampling(steps);
  assert.ok(start != null && end != null, `sampled: ${start}–${end}`);
  assert.ok(end - start >= 3 && steps[end - 1] - steps[start - 1] >= 5, `the window ${start}–${end} takes in a step`);
  // No step comes: the window closes after ten calls.
  const once = Array.from({ length: 60 }, (_, i) => (i < 12 ? 20 : 100));
  assert.deepEqual(sampling(once), { start: 22, end: 32 });
});

test('a sample forgets the disposed tensors it noted, and names the place of the ones still alive', () => {
  const events: unknown[] = [];
  const watch = new LeakWatch(tf as never, (file) => !file.endsWith('leak-watch.test.ts'), (e) => events.push(e));
  const kept: tf.Tensor[] = [];
  try {
    for (let call = 1; call <= 40; call++) {
      watch.callStarts(call, 10 + kept.length);
      // Each step makes 3000 short-lived tensors (more than a sample holds) and leaks one.
      for (let j = 0; j < 3000; j++) tf.scalar(j).dispose();
      kept.push(tf.scalar(call)); // LEAKS HERE
    }
  } finally {
    watch.uninstall();
    tf.dispose(kept);
  }
  const sites = (events.find((e) => (e as { type: string }).type === 'leak-sites') as { sites: { source: { line: number } | null; alive: number; created: number }[] } | undefined)?.sites;
  assert.ok(sites?.length, 'leak sites were sent');
  // One leaked per call over the window (five calls: until the count had risen by five).
  assert.equal(sites.length, 1, JSON.stringify(sites));
  assert.equal(sites[0].alive, 5);
  assert.equal(sites[0].source?.line, LEAK_LINE, 'the line that leaks');
  assert.equal(sites[0].created, 5);
});
