// The engine in process, on the real tfjs: no leaked tensors, nothing left behind after uninstall, probes
// that leave the user's random stream alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { instrument } from '../../src/engine/instrument.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import type { GradientCallRecord } from '../../src/protocol/report.ts';

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
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, probeAllFirst: 2, probeEvery: 2, probeBudget: 0, emit: (e) => events.push(e) });
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

test('at the default probe budget, the first probed call has its loss after the optimizer step', () => {
  // Before the first call there is no training time to measure the budget by: the first pass after a step runs
  // whatever it costs, like the first probe, so a script of one gradient call (or a page's first step) has it.
  const events: RunnerEvent[] = [];
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, emit: (e) => events.push(e) });
  try {
    const model = makeModel();
    train(model, 1);
    instr.flush();
    model.dispose();
    const [call] = events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []));
    assert.ok(call.probed);
    assert.equal(typeof call.lossAfterStep, 'number');
    assert.notEqual(call.lossAfterStep, call.lossAfter, 'the step changed the weights');
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
  // Dropout draws once in the real call. The probes replay the call: the attribution pass of Dropout uses the
  // mask the call drew, and the closure is never run again.
  assert.equal(draws.length, 1);
  const call = events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []))[0];
  assert.equal(call.attribution?.length, 2, 'BatchNorm and Dropout attributed');
  assert.equal(call.probeError, null);
  assert.equal(logged, 1, 'the closure ran once: in the call');
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

/** One run of a BatchNorm + Dropout model with NaN in part of its input, recorded with the given read strategy.
 *  Also says what the three steps left live beyond the user's own tensors (SGD keeps no state of its own, so
 *  anything would be the debugger's) and how many records were out before waiting for pending reads. The model
 *  is disposed before that wait, as a page may dispose it as soon as training ends. */
async function recordWith(readStrategy: 'immediate' | 'batched' | 'deferred', probed = true) {
  const events: RunnerEvent[] = [];
  const records = () => events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []));
  const probing = probed ? { probeAllFirst: 3, probeEvery: 1 } : { probeAllFirst: 0, probeEvery: 0 };
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...probing, probeBudget: 0, readStrategy, emit: (e) => events.push(e) });
  let leftBySteps: number;
  let outBeforeWaiting: number;
  try {
    const model = makeModel();
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 7);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 8);
    const bad = tf.tensor2d([[NaN, 1, 2, 3], [Infinity, 0, 0, 0]]);
    const opt = tf.train.sgd(0.05);
    const beforeSteps = tf.memory().numTensors;
    for (const batch of [x, x, bad]) {
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(batch === bad ? y.slice(0, 2) : y, model.apply(batch, { training: true }) as tf.Tensor) as tf.Scalar);
      opt.applyGradients(grads);
      tf.dispose([value, grads]);
    }
    leftBySteps = tf.memory().numTensors - beforeSteps;
    instr.flush();
    outBeforeWaiting = records().length;
    model.dispose();
    await instr.settled();
    tf.dispose([x, y, bad]);
    opt.dispose();
  } finally {
    instr.uninstall();
  }
  return { calls: records(), leftBySteps, outBeforeWaiting };
}

test('read strategies: values read at once on the host and values reduced on the backend agree', async () => {
  const { setRandomSeed } = { setRandomSeed: (s: number) => { let a = s; Math.random = () => ((a = (a * 16807) % 2147483647) / 2147483647); } };
  const random = Math.random;
  try {
    setRandomSeed(11);
    const immediate = (await recordWith('immediate')).calls;
    setRandomSeed(11);
    const batched = (await recordWith('batched')).calls;
    assert.equal(immediate.length, 3);
    const close = (a: number | null, b: number | null, what: string) => {
      if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b)) return assert.equal(a, b, what);
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
    };
    immediate.forEach((call, i) => {
      const other = batched[i];
      for (const k of ['lossBefore', 'lossDuring', 'lossAfter', 'lossAfterStep'] as const) assert.equal(call[k], other[k], `${k} of call ${i + 1}`);
      call.weights.forEach((w, j) => close(w.norm, other.weights[j].norm, `grad norm ${w.name}`));
      call.layers.forEach((l, j) => {
        const o = other.layers[j];
        assert.equal(l.nonFinite, o.nonFinite, `NaN/Inf count of layer ${l.layer} in call ${i + 1}`);
        if (l.output && o.output && o.output.nanCount === 0 && o.output.infCount === 0) {
          for (const k of ['mean', 'std', 'min', 'max'] as const) close(l.output[k], o.output[k], `${k} of layer ${l.layer}`);
        }
        if (l.batchNorm && o.batchNorm) {
          for (const k of ['movingMeanBefore', 'movingVarianceBefore', 'movingMeanAfter', 'movingVarianceAfter', 'batchMean', 'batchVariance'] as const) {
            assert.equal(l.batchNorm[k].length, 6, k);
            l.batchNorm[k].forEach((v, c) => close(v, o.batchNorm?.[k][c] ?? null, `${k}[${c}] in call ${i + 1}`));
          }
        }
      });
    });
    const last = immediate[2];
    assert.ok(last.layers[0].nonFinite > 0, 'the NaN batch shows in the first layer');
    assert.deepEqual(last.layers.map((l) => l.nonFinite), batched[2].layers.map((l) => l.nonFinite));
    // Unprobed calls: the batched strategy counts the whole call's outputs together, then one by one.
    setRandomSeed(11);
    const unprobedImmediate = (await recordWith('immediate', false)).calls;
    setRandomSeed(11);
    const unprobedBatched = (await recordWith('batched', false)).calls;
    setRandomSeed(11);
    const tensorsBefore = tf.memory().numTensors;
    const deferredRun = await recordWith('deferred', false);
    // Deferred, unprobed: nothing is recorded until the values arrive (but the first call's, read at once: in a
    // page its frame compiles the page's programs), and the debugger holds no tensor meanwhile.
    assert.equal(deferredRun.outBeforeWaiting, 1, 'no record before the values arrive but the first call\'s');
    assert.equal(deferredRun.leftBySteps, 0, 'the debugger holds no tensor while its reads are pending');
    assert.equal(tf.memory().numTensors, tensorsBefore);
    const unprobed = { immediate: unprobedImmediate, batched: unprobedBatched, deferred: deferredRun.calls };
    assert.ok(unprobed.batched.every((c) => !c.probed));
    // Deferred: the records arrive after their calls, in order, with what the batched strategy read at once.
    assert.deepEqual(unprobed.deferred.map((c) => c.index), [1, 2, 3]);
    const sameModel = (c: GradientCallRecord) => ({ ...c, durationMs: 0, weights: c.weights.map((w) => ({ ...w, name: '' })) });
    assert.deepEqual(unprobed.deferred.map(sameModel), unprobed.batched.map(sameModel));
    assert.deepEqual(unprobed.batched.map((c) => c.layers.map((l) => l.nonFinite)), unprobed.immediate.map((c) => c.layers.map((l) => l.nonFinite)));
    assert.deepEqual(unprobed.batched[2].layers.map((l) => l.nonFinite), last.layers.map((l) => l.nonFinite));
    assert.deepEqual(unprobed.batched.map((c) => c.numTensors), unprobed.immediate.map((c) => c.numTensors), 'the outputs held to count are freed with the call');
    // The batch statistics are the ones the layer normalised with: its moving-average update reproduces them.
    const bn = immediate[0].layers[1].batchNorm;
    assert.ok(bn);
    bn.batchMean.forEach((m, c) => close(bn.movingMeanAfter[c], bn.movingMeanBefore[c] - (bn.movingMeanBefore[c] - m) * (1 - bn.momentum), `moving mean update ${c}`));
  } finally {
    Math.random = random;
  }
});

test('on a host-memory backend an unprobed call runs no kernel of the debugger\'s own', async () => {
  const model = makeModel();
  const x = tf.randomNormal([8, 4]);
  const y = tf.randomNormal([8, 1]);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    tf.dispose([value, grads]);
  };
  const kernels = async () => (await tf.profile(step)).kernelNames;
  const plain = await kernels();
  const events: RunnerEvent[] = [];
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, probeAllFirst: 0, probeEvery: 0, emit: (e) => events.push(e) });
  let debugged: string[];
  try {
    debugged = await kernels();
    instr.flush();
  } finally {
    instr.uninstall();
  }
  tf.dispose([x, y]);
  model.dispose();
  assert.deepEqual(debugged, plain);
  const call = events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []))[0];
  const bn = call.layers[1].batchNorm;
  assert.ok(bn && bn.batchMean.length === 6 && bn.movingMeanAfter.length === 6, 'and still has the BatchNorm statistics');
  assert.equal(call.layers.length, 4);
});

test('replay passes that start from the call\'s own values give the same losses, bit for bit, as passes computed in full', () => {
  const run = (recordingBytes: number) => {
    const events: RunnerEvent[] = [];
    const instr = instrument({ core, layers }, {
      ...DEFAULT_RUN_OPTIONS, probeAllFirst: 1e9, probeEvery: 1, probeBudget: 0, attribution: 'always', recordingBytes, emit: (e) => events.push(e),
    });
    let a = 5;
    const random = Math.random;
    Math.random = () => ((a = (a * 16807) % 2147483647) / 2147483647);
    try {
      // A shared layer (called twice), a nested model, BatchNorm on both sides of it and a Dropout.
      const shared = tf.layers.dense({ units: 6, activation: 'relu' });
      const inner = tf.sequential({ layers: [tf.layers.dense({ units: 6, inputShape: [6] }), tf.layers.batchNormalization()] });
      const input = tf.input({ shape: [4] });
      let h = tf.layers.dense({ units: 6 }).apply(input) as tf.SymbolicTensor;
      h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
      h = shared.apply(h) as tf.SymbolicTensor;
      h = inner.apply(h) as tf.SymbolicTensor;
      h = tf.layers.dropout({ rate: 0.4 }).apply(h) as tf.SymbolicTensor;
      h = shared.apply(h) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(h) as tf.SymbolicTensor });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      const x = tf.randomNormal([16, 4], 0, 1, 'float32', 3);
      const y = tf.randomNormal([16, 1], 0, 1, 'float32', 4);
      const opt = tf.train.adam(0.01);
      for (let i = 0; i < 3; i++) opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      instr.flush();
      tf.dispose([x, y]);
      opt.dispose();
      model.dispose();
    } finally {
      Math.random = random;
      instr.uninstall();
    }
    return events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []));
  };
  const full = run(0);
  const reused = run(256 * 2 ** 20);
  assert.equal(full.length, 3);
  assert.deepEqual(full.map((c) => c.attribution?.length), [3, 3, 3], 'two BatchNorm layers (one nested) and a Dropout attributed in every call');
  const losses = (calls: typeof full) => calls.map((c) => [c.lossBefore, c.lossDuring, c.lossAfter, c.lossAfterStep, ...(c.attribution ?? []).map((a) => a.deltaLoss)]);
  assert.deepEqual(losses(reused), losses(full));
  assert.ok(full.every((c) => c.lossAfter !== c.lossBefore), 'the moving statistics moved, so the after pass really recomputed from the first BatchNorm on');
});

test('when tfjs\'s own moments cannot be caught (a bundle that calls them directly), the batch statistics come from the moving-average update', () => {
  const model = makeModel();
  const x = tf.randomNormal([8, 4], 0, 1, 'float32', 5);
  const originalMoments = core.moments;
  const collect = (bypass: boolean) => {
    const events: RunnerEvent[] = [];
    const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, probeEvery: 0, emit: (e) => events.push(e) });
    const tapped = core.moments;
    // The layer then calls tfjs-core's moments itself, as the tf.min.js bundle does: the tap sees nothing.
    if (bypass) core.moments = originalMoments;
    try {
      tf.variableGrads(() => (model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar);
      instr.flush();
    } finally {
      core.moments = tapped;
      instr.uninstall();
    }
    return events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []))[0].layers[1].batchNorm!;
  };
  const caught = collect(false);
  const derived = collect(true);
  assert.equal(caught.batchMean.length, 6);
  assert.equal(derived.batchMean.length, 6);
  const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  derived.batchMean.forEach((m, c) => assert.ok(close(m, caught.batchMean[c], 1e-4), `mean ${c}: ${m} vs ${caught.batchMean[c]}`));
  derived.batchVariance.forEach((v, c) => assert.ok(close(v, caught.batchVariance[c], 1e-3), `variance ${c}: ${v} vs ${caught.batchVariance[c]}`));
  tf.dispose([x]);
  model.dispose();
});

test('kernels that take a list of inputs (concat, stack, addN) replay, and the loss before is the inference-mode loss to the bit', () => {
  const model = makeModel();
  const x = tf.randomNormal([8, 4], 0, 1, 'float32', 9);
  const loss = (training: boolean) => {
    const a = model.apply(x, { training }) as tf.Tensor;
    const b = tf.concat([a, a.mul(2)], 1);
    const c = tf.stack([b, b.add(1)]);
    return tf.addN([c.mean(), c.square().mean()]) as tf.Scalar;
  };
  const expected = tf.tidy(() => loss(false).dataSync()[0]);
  const events: RunnerEvent[] = [];
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, probeBudget: 0, emit: (e) => events.push(e) });
  try {
    const { value, grads } = tf.variableGrads(() => loss(true));
    tf.dispose([value, grads]);
    instr.flush();
  } finally {
    instr.uninstall();
  }
  const call = events.flatMap((e) => (e.type === 'gradient-call' ? [e.call] : []))[0];
  assert.equal(call.probeError, null);
  assert.equal(call.lossBefore, expected);
  tf.dispose([x]);
  model.dispose();
});
