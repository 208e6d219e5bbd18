// The batched strategy's NaN/Inf screen (src/engine/taps/nonFiniteScreen.ts): an output's sum decides whether its
// values are counted; the count is exact, an overflowing sum of finite values counts none, and the held outputs
// are let go whatever happens, without ever showing in tf.memory().numTensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NonFiniteScreen } from '../../src/engine/taps/nonFiniteScreen.ts';
import { ReadbackBatch } from '../../src/engine/readback/readback.ts';

test('the screen counts NaN and Inf exactly, counts none where only the sum overflows, and frees what it held', () => {
  const outputs = {
    finite: tf.tensor1d([1, 2, 3]),
    overflow: tf.tensor1d([3e38, 3e38, 3e38]),
    nan: tf.tensor1d([NaN, 1, NaN, 2]),
    infs: tf.tensor1d([Infinity, -Infinity, 0]),
    ints: tf.tensor1d([1, 2], 'int32'),
  };
  const before = tf.memory().numTensors;
  const batch = new ReadbackBatch(tf as never, 'batched');
  const screen = new NonFiniteScreen<string>(tf as never);
  for (const [key, t] of Object.entries(outputs)) screen.add(key, t, batch);
  batch.read();
  const counts = screen.counts(batch);
  assert.deepEqual(Object.fromEntries(counts), { nan: 2, infs: 2 });
  assert.equal(tf.memory().numTensors, before, 'the sums are freed and the holds released');
  assert.ok(Object.values(outputs).every((t) => !t.isDisposed), 'the outputs themselves stay their owner\'s');
  tf.dispose(Object.values(outputs));
});

test('a call that failed frees the held outputs without reading them', () => {
  const x = tf.tensor1d([NaN]);
  const before = tf.memory().numTensors;
  const batch = new ReadbackBatch(tf as never, 'batched');
  const screen = new NonFiniteScreen<string>(tf as never);
  screen.add('x', x, batch);
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
  for (const [key, t] of Object.entries(outputs)) screen.add(key, t, batch);
  const reading = batch.readWithoutWaiting();
  assert.equal(tf.memory().numTensors, before.numTensors + 2, 'only the user\'s own tensors are live while the values are on their way');
  tf.dispose(Object.values(outputs));
  assert.equal(tf.memory().numTensors, before.numTensors);
  await reading;
  assert.deepEqual(Object.fromEntries(screen.counts(batch)), { nan: 2 });
  const after = tf.memory();
  assert.deepEqual([after.numTensors, after.numDataBuffers, after.numBytes], [before.numTensors, before.numDataBuffers, before.numBytes], 'the held data is freed with the last hold');
});
