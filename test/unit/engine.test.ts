// The engine in process, on the real tfjs: no leaked tensors, nothing left behind after uninstall, probes
// that leave the user's random stream alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { instrument } from '../../src/core/instrument/instrument.ts';
import { DEFAULT_RUN_OPTIONS, type RunnerEvent } from '../../src/protocol.ts';

import { createRequire } from 'node:module';

// The modules' own export objects, as the runner loads them (an ES namespace import would be a read-only copy).
const load = createRequire(__filename);
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');

function makeModel() {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: 6, inputShape: [4], activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 1 }),
  ] });
}

/** A custom training loop; returns the live tensor count after each gradient call. */
function train(model: tf.Sequential, steps: number): number[] {
  const x = tf.randomNormal([8, 4]);
  const y = tf.randomNormal([8, 1]);
  const opt = tf.train.sgd(0.05);
  const counts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    counts.push(tf.memory().numTensors);
    opt.applyGradients(grads);
    tf.dispose([value, grads]);
  }
  tf.dispose([x, y]);
  opt.dispose();
  return counts;
}

test('live tensors after every gradient call are the same with and without the debugger', () => {
  const plainModel = makeModel();
  const plain = train(plainModel, 6);
  plainModel.dispose();

  const events: RunnerEvent[] = [];
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, probeAllFirst: 2, probeEvery: 2, emit: (e) => events.push(e) });
  try {
    const model = makeModel();
    const debugged = train(model, 6);
    instr.flush();
    model.dispose();
    assert.deepEqual(debugged, plain);
    const calls = events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []));
    assert.deepEqual(calls.map((c) => c.index), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(calls.map((c) => c.probed), [true, true, false, true, false, true]);
    assert.deepEqual(calls.map((c) => c.numTensors), plain);
    assert.ok(calls.filter((c) => c.probed).every((c) => c.lossAfterStep != null), 'applyGradients gives the loss after the step');
    assert.ok(calls.filter((c) => !c.probed).every((c) => c.lossBefore == null && c.lossDuring != null && c.layers.every((l) => l.output == null)));
  } finally {
    instr.uninstall();
  }
});

test('probes draw nothing from Math.random and print nothing', () => {
  const model = makeModel();
  const x = tf.randomNormal([8, 4]);
  let logged = 0;
  const events: RunnerEvent[] = [];
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, attribution: 'always', emit: (e) => events.push(e) });
  const draws: number[] = [];
  const random = Math.random;
  Math.random = () => { draws.push(0); return 0.5; };
  try {
    tf.variableGrads(() => {
      logged++;
      return (model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar;
    });
    instr.flush();
  } finally {
    Math.random = random;
    instr.uninstall();
  }
  // Dropout draws once in the real call. The probes before and after run it in inference mode; its
  // attribution probe runs it in training mode and replays the draw the call made.
  assert.equal(draws.length, 1);
  const call = events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []))[0];
  assert.equal(call.attribution?.length, 2, 'BatchNorm and Dropout attributed');
  assert.equal(logged, 5, 'the closure ran in the call, in two probes and in two attribution probes');
  tf.dispose([x]);
  model.dispose();
});

test('uninstall restores every patched function', () => {
  const engine = tf.engine() as any;
  const before = { gradients: engine.gradients, grad: core.grad, apply: layers.layers.Layer.prototype.apply, fit: layers.LayersModel.prototype.fit, sgd: core.SGDOptimizer.prototype.applyGradients };
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, emit: () => undefined });
  assert.notEqual(engine.gradients, before.gradients);
  instr.uninstall();
  assert.deepEqual({ gradients: engine.gradients, grad: core.grad, apply: layers.layers.Layer.prototype.apply, fit: layers.LayersModel.prototype.fit, sgd: core.SGDOptimizer.prototype.applyGradients }, before);
  assert.equal(Object.getOwnPropertyDescriptor(layers.layers.Layer.prototype, '_callHook'), undefined);
});
