// ReadbackBatch (src/engine/readback/readback.ts): on the batched strategies a small tensor's statistic is read
// whole and reduced in JavaScript, a large one is reduced on the backend; the probe-only slots are read apart
// from the rest. Every slot gets its values whatever the mix, and nothing kept outlives the read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { HOST_REDUCED_ELEMENTS, ReadbackBatch, type ReadStrategy } from '../../src/engine/readback/readback.ts';
import { summarize, type Values } from '../../src/engine/readback/hostReductions.ts';
import { outputStatsTensor } from '../../src/engine/taps/layerStats.ts';

const core = tf as never;

/** Adds t's statistics; says where they were reduced. */
function addStats(batch: ReadbackBatch, t: tf.Tensor, where: string[]) {
  return batch.addReduced(t, (x) => { where.push('device'); return outputStatsTensor(core, x as never) as never; }, (v: Values) => { where.push('host'); return summarize(v); });
}

const close = (a: number[], b: number[], what: string) =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${x} vs ${b[i]}`));

for (const strategy of ['batched', 'deferred'] as ReadStrategy[]) {
  test(`${strategy}: small tensors reduced in JavaScript up to the budget, larger ones on the backend, all read in one go`, async () => {
    const small = tf.randomNormal([4, 5, 6], 0, 2, 'float32', 1);
    const other = tf.tensor1d([NaN, 1, Infinity, 3]);
    const large = tf.randomNormal([HOST_REDUCED_ELEMENTS + 10], 3, 1, 'float32', 2);
    const loss = tf.scalar(0.25);
    const before = tf.memory().numTensors;
    const batch = new ReadbackBatch(core, strategy);
    const where: string[] = [];
    const slots = { small: addStats(batch, small, where), loss: batch.addCopyOf(loss as never), other: addStats(batch, other, where), large: addStats(batch, large, where) };
    assert.deepEqual(where, ['device'], 'only the tensor over the budget is reduced on the backend, now');
    if (strategy === 'deferred') await batch.readWithoutWaiting();
    else batch.read();
    assert.deepEqual(where, ['device', 'host', 'host'], 'the small ones are reduced once read');
    assert.equal(tf.memory().numTensors, before, 'what the batch kept is freed');
    assert.deepEqual(batch.get(slots.small), summarize(small.dataSync()));
    assert.deepEqual(batch.get(slots.other).slice(2), [1, 3, 1, 1], 'min, max, NaN and Inf counts over the finite values');
    assert.deepEqual(batch.get(slots.loss), [0.25]);
    close(batch.get(slots.large), summarize(large.dataSync()), 'large');
    assert.ok(Math.abs(batch.get(slots.large)[0] - 3) < 0.01, 'the large one\'s mean is its own, not a neighbour\'s');
    tf.dispose([small, other, large, loss]);
  });
}

test('the budget is for the whole read: once spent, even small tensors are reduced on the backend', () => {
  const big = tf.zeros([HOST_REDUCED_ELEMENTS - 3]);
  const small = tf.tensor1d([1, 2, 3, 4]);
  const batch = new ReadbackBatch(core, 'batched');
  const where: string[] = [];
  addStats(batch, big, where);
  const slot = addStats(batch, small, where);
  batch.read();
  assert.deepEqual(where, ['device', 'host']);
  close(batch.get(slot), [2.5, Math.sqrt(1.25), 1, 4, 0, 0], 'small');
  tf.dispose([big, small]);
});

test('a read holding probe-only slots reads the others first, on their own; peek reduces a slot kept whole', () => {
  const concats: number[][] = [];
  const spy = { ...tf, concat: (xs: tf.Tensor[]) => { concats.push(xs.map((x) => x.size)); return tf.concat(xs); } };
  const whole = tf.tensor1d([2, 4]);
  const before = tf.memory().numTensors;
  const batch = new ReadbackBatch(spy as never, 'batched');
  const value = batch.add(tf.tensor1d([7]) as never);
  const probe = batch.occasional(batch.add(tf.tensor1d([8, 9]) as never));
  const stats = batch.occasional(addStats(batch, whole, []));
  const gradients = batch.add(tf.tensor1d([5]) as never);
  assert.equal(batch.peek([stats, value])[0], 3, 'the mean of [2, 4]');
  concats.length = 0;
  batch.read();
  assert.deepEqual(concats, [[1, 1], [2, 2]], 'the loss and gradients alone, as a call without probes reads them, then the rest');
  assert.deepEqual([batch.get(value), batch.get(probe), batch.get(gradients)], [[7], [8, 9], [5]]);
  assert.equal(batch.get(stats)[0], 3);
  assert.equal(tf.memory().numTensors, before, 'the kept tensors are freed');
  assert.ok(!whole.isDisposed, 'a tensor read whole stays its owner\'s');
  whole.dispose();
});

test('deferred: the probe-only slots are read each alone, in their own dtype, the others in one concat', async () => {
  const concats: number[][] = [];
  const spy = { ...tf, concat: (xs: tf.Tensor[]) => { concats.push(xs.map((x) => x.size)); return tf.concat(xs); } };
  const labels = tf.tensor1d([3, 1, 2], 'int32');
  const whole = tf.tensor2d([[2, 4], [6, 8]]);
  const before = tf.memory().numTensors;
  const batch = new ReadbackBatch(spy as never, 'deferred');
  const value = batch.add(tf.tensor1d([7]) as never);
  const gradients = batch.add(tf.tensor1d([5]) as never);
  const held = batch.occasional(batch.addData(labels as never));
  const stats = batch.occasional(addStats(batch, whole, []));
  await batch.readWithoutWaiting();
  assert.deepEqual(concats, [[1, 1]], 'one concat, for the slots every call reads');
  assert.deepEqual([batch.get(value), batch.get(gradients)], [[7], [5]]);
  // A tensor's data (addData) comes back typed as read, in an array of its own.
  assert.ok(batch.getWhole(held) instanceof Int32Array);
  assert.deepEqual(Array.from(batch.getWhole(held)), [3, 1, 2]);
  close(batch.get(stats), [5, Math.sqrt(5), 2, 8, 0, 0], 'stats');
  assert.equal(tf.memory().numTensors, before, 'the kept tensors are freed');
  assert.ok(!labels.isDisposed && !whole.isDisposed, 'what the batch read stays its owner\'s');
  tf.dispose([labels, whole]);
});

test('immediate: a statistic is reduced in JavaScript at once', () => {
  const t = tf.tensor1d([1, 3]);
  const batch = new ReadbackBatch(core, 'immediate');
  const where: string[] = [];
  const slot = addStats(batch, t, where);
  assert.deepEqual(where, ['host']);
  assert.deepEqual(batch.get(slot), [2, 1, 1, 3, 0, 0]);
  t.dispose();
});
