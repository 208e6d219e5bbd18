// The batched strategy's NaN/Inf counts (src/engine/taps/nonFiniteScreen.ts): layer outputs are held and counted
// exactly when the call's value or gradients are not finite, and not at all otherwise; the holds are let go
// whatever happens, without ever showing in tf.memory().numTensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NonFiniteScreen } from '../../src/engine/taps/nonFiniteScreen.ts';
import { ReadbackBatch } from '../../src/engine/readback/readback.ts';

/** Screens four outputs with the given gradients and call value; returns the counts. */
function screened(gradients: number[], value: number): Record<string, number> {
  const outputs = {
    finite: tf.tensor1d([1, 2, 3]),
    nan: tf.tensor1d([NaN, 1, NaN, 2]),
    infs: tf.tensor1d([Infinity, -Infinity, 0]),
    ints: tf.tensor1d([1, 2], 'int32'),
  };
  const grads = [tf.tensor1d(gradients)];
  const before = tf.memory().numTensors;
  const batch = new ReadbackBatch(tf as never, 'batched');
  const screen = new NonFiniteScreen<string>(tf as never);
  for (const [key, t] of Object.entries(outputs)) screen.add(key, t);
  screen.addGradients(grads, batch);
  batch.read();
  const counts = Object.fromEntries(screen.counts(batch, value));
  assert.equal(tf.memory().numTensors, before, 'the gradients\' sum is freed and the holds released');
  assert.ok(Object.values(outputs).every((t) => !t.isDisposed), 'the outputs themselves stay their owner\'s');
  tf.dispose([...Object.values(outputs), ...grads]);
  return counts;
}

test('a call whose loss or gradients are not finite has its outputs counted exactly', () => {
  assert.deepEqual(screened([1, 2], NaN), { nan: 2, infs: 2 });
  assert.deepEqual(screened([1, Infinity], 0.5), { nan: 2, infs: 2 });
  assert.deepEqual(screened([NaN], 0.5), { nan: 2, infs: 2 });
});

test('a call whose loss and gradients are finite counts nothing; gradients that only overflow their sum are counted and show none', () => {
  // The documented limit: values a later layer absorbed, with every gradient finite, are not counted.
  assert.deepEqual(screened([1, 2], 0.5), {});
  const outputs = [tf.tensor1d([1, 2])];
  const grads = [tf.tensor1d([3e38, 3e38, 3e38])];
  const batch = new ReadbackBatch(tf as never, 'batched');
  const screen = new NonFiniteScreen<string>(tf as never);
  screen.add('finite', outputs[0]);
  screen.addGradients(grads, batch);
  batch.read();
  assert.deepEqual(Object.fromEntries(screen.counts(batch, 1)), {});
  tf.dispose([...outputs, ...grads]);
});

test('a call that failed frees the held outputs without reading them', () => {
  const x = tf.tensor1d([NaN]);
  const before = tf.memory().numTensors;
  const batch = new ReadbackBatch(tf as never, 'batched');
  const screen = new NonFiniteScreen<string>(tf as never);
  screen.add('x', x);
  batch.dispose();
  screen.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(!x.isDisposed);
  x.dispose();
});

test('a deferred read: the user frees its outputs before the values arrive, and the counts are still exact', async () => {
  const before = tf.memory();
  const outputs = { nan: tf.tensor1d([NaN, NaN, 1]), fine: tf.tensor1d([1, 2]) };
  const batch = new ReadbackBatch(tf as never, 'deferred');
  const screen = new NonFiniteScreen<string>(tf as never);
  for (const [key, t] of Object.entries(outputs)) screen.add(key, t);
  const reading = batch.readWithoutWaiting();
  assert.equal(tf.memory().numTensors, before.numTensors + 2, 'only the user\'s own tensors are live while the values are on their way');
  tf.dispose(Object.values(outputs));
  assert.equal(tf.memory().numTensors, before.numTensors);
  await reading;
  assert.deepEqual(Object.fromEntries(screen.counts(batch, NaN)), { nan: 2 });
  const after = tf.memory();
  assert.deepEqual([after.numTensors, after.numDataBuffers, after.numBytes], [before.numTensors, before.numDataBuffers, before.numBytes], 'the held data is freed with the last hold');
});
