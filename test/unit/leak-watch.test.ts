// When the leak watch starts noting where tensors are created (src/engine/taps/leakWatch.ts): not for what the
// first optimizer steps allocate once (a GAN's two optimizers create their slots in calls 1 and 2), and it does
// for counts that keep rising.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LeakWatch } from '../../src/engine/taps/leakWatch.ts';
import { defaultIsInternal } from '../../src/engine/callSites.ts';

/** The call at which the watch began sampling (it replaces engine.trackTensor then), or null. */
function samplingStart(counts: number[]): number | null {
  const engine = tf.engine() as unknown as { trackTensor: unknown };
  const original = engine.trackTensor;
  const watch = new LeakWatch(tf as never, defaultIsInternal, () => undefined);
  try {
    for (let i = 0; i < counts.length; i++) {
      watch.callStarts(i + 1, counts[i]);
      if (engine.trackTensor !== original) return i + 1;
    }
    return null;
  } finally {
    watch.uninstall();
    assert.equal(engine.trackTensor, original);
  }
}

test('optimizer slots made in the first two calls start no sample; steady growth does', () => {
  const gan = Array.from({ length: 60 }, (_, i) => (i === 0 ? 18 : i === 1 ? 27 : 38 + (i % 2)));
  assert.equal(samplingStart(gan), null);
  const fit = Array.from({ length: 60 }, (_, i) => (i === 0 ? 13 : 24));
  assert.equal(samplingStart(fit), null);
  const leak = Array.from({ length: 60 }, (_, i) => 10 + 3 * i);
  assert.equal(samplingStart(leak), 22, 'two windows of ten calls after the first two');
});
