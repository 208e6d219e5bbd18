// The cross-backend check on real tfjs: a backend that is a copy of cpu agrees with cpu layer by layer; one
// whose Relu is off by 5% diverges at the first layer with a relu, and one whose Relu makes NaN is caught as
// NaN where cpu is finite. Both are named by the backend-divergence finding. Run after the call (as in a page
// on webgl), the check finds the same, and follows the call's record instead of holding it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { instrument } from '../../src/engine/instrument.ts';
import { diagnose } from '../../src/model/diagnose/index.ts';
import { ReportBuilder } from '../../src/model/reportBuilder.ts';
import type { GradientCallRecord, LayerInfo, RunReport } from '../../src/protocol/report.ts';
import type { ReadStrategy } from '../../src/engine/readback/readback.ts';
import { CHECK_MAX_ELEMENTS } from '../../src/engine/probes/backendCheck.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');
const { MathBackendCPU } = load('@tensorflow/tfjs-backend-cpu');

/** A backend named `name` with every cpu kernel, Relu replaced by `relu` when given. */
function cpuTwin(name: string, relu?: (x: Float32Array) => Float32Array): void {
  core.registerBackend(name, () => new MathBackendCPU());
  for (const k of core.getKernelsForBackend('cpu')) {
    if (k.kernelName === 'Relu' && relu) {
      core.registerKernel({
        kernelName: 'Relu', backendName: name,
        kernelFunc: ({ inputs, backend }: any) => {
          const x = inputs.x;
          const values = relu(Float32Array.from(backend.data.get(x.dataId).values as Float32Array));
          return backend.makeTensorInfo(x.shape, 'float32', values);
        },
      });
    } else {
      core.registerKernel({ ...k, backendName: name });
    }
  }
}

type Loss = (labels: unknown, predictions: unknown) => unknown;

async function trainOn(backend: string, readStrategy?: ReadStrategy, loss: Loss = (y, p) => tf.losses.meanSquaredError(y, p), rows = 16): Promise<{ call: GradientCallRecord; layers: LayerInfo[]; events: RunnerEvent[] }> {
  await core.setBackend(backend);
  const events: RunnerEvent[] = [];
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, backendCheck: 'always', probeBudget: 0, readStrategy, emit: (e) => events.push(e) });
  try {
    // Seeded weights: what the relu sees (and so whether the NaN backend makes a NaN) is the same every run.
    const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 8, inputShape: [4], useBias: false, kernelInitializer: seeded(1) }),
      tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: seeded(2) }),
      tf.layers.dense({ units: 1, kernelInitializer: seeded(3) }),
    ] });
    const x = tf.randomNormal([rows, 4], 0, 1, 'float32', 3);
    const y = tf.randomNormal([rows, 1], 0, 1, 'float32', 4);
    tf.train.sgd(0.1).minimize(() => loss(y, model.apply(x, { training: true })));
    // On the deferred strategy the check runs after the call: the model is gone before it reads anything.
    tf.dispose([x, y]);
    model.dispose();
    instr.flush();
    await instr.settled();
  } finally {
    instr.uninstall();
    await core.setBackend('cpu');
  }
  // The events folded as the host folds them (a check that ran after its call comes as an event of its own).
  const builder = new ReportBuilder('x.js', []);
  for (const e of events) builder.apply(e);
  const { gradientCalls: [call], layers: infos } = builder.report();
  return { call, layers: infos, events };
}

const reportOf = (call: GradientCallRecord, layerInfos: LayerInfo[], backend: string): RunReport => ({
  schemaVersion: 1, target: 'x.js', args: [], status: 'completed', error: null, options: DEFAULT_RUN_OPTIONS,
  tfjs: { version: '4.22.0', backend, source: 'workspace', path: '' }, startedAt: null, durationMs: null, exitCode: 0,
  layers: layerInfos, gradientCallCount: 1, gradientCallsDropped: 0, gradientCalls: [call], findings: [], memory: null, logs: [],
});

test('a faithful copy of the cpu backend agrees with cpu in every layer', async () => {
  cpuTwin('cpu-twin');
  const { call, layers: infos } = await trainOn('cpu-twin');
  assert.ok(call.backendCheck, 'checked');
  assert.equal(call.backendCheck.layers, 3);
  assert.equal(call.backendCheck.firstDivergent, null);
  assert.equal(call.backendCheck.firstNonFinite, null);
  assert.equal(call.backendCheck.worst?.error, 0);
  assert.deepEqual(diagnose(reportOf(call, infos, 'cpu-twin')).filter((f) => f.rule === 'backend-divergence'), []);
});

test('a backend whose relu is 5% off diverges at the layer with the relu, and the finding names it', async () => {
  cpuTwin('off-by-5', (x) => x.map((v) => Math.max(0, v) * 1.05));
  const { call, layers: infos } = await trainOn('off-by-5');
  const reluLayer = infos.find((l) => l.name.startsWith('dense') && call.layers[1]?.layer === l.id);
  assert.ok(call.backendCheck?.firstDivergent, JSON.stringify(call.backendCheck));
  assert.equal(call.backendCheck.firstDivergent.layer, reluLayer?.id);
  assert.ok(Math.abs(call.backendCheck.firstDivergent.error - 0.05) < 0.01, `error ${call.backendCheck.firstDivergent.error}`);
  const finding = diagnose(reportOf(call, infos, 'off-by-5')).find((f) => f.rule === 'backend-divergence');
  assert.equal(finding?.severity, 'warning');
  assert.equal(finding?.layer, reluLayer?.id);
  assert.match(finding?.summary ?? '', /On off-by-5, dense_Dense\d+ \(Dense\) computes an output 5% off the cpu backend's/);
});

test('a backend whose relu makes NaN is caught where cpu is finite', async () => {
  cpuTwin('nan-relu', (x) => x.map((v) => (v > 1 ? NaN : Math.max(0, v))));
  const { call, layers: infos } = await trainOn('nan-relu');
  assert.equal(call.backendCheck?.firstNonFinite, call.layers[1].layer);
  const finding = diagnose(reportOf(call, infos, 'nan-relu')).find((f) => f.rule === 'backend-divergence');
  assert.equal(finding?.severity, 'error');
});

test('after the call (the deferred strategy of pages on webgl), the check finds the same as at once, from the values the call saw', async () => {
  cpuTwin('off-by-5-later', (x) => x.map((v) => Math.max(0, v) * 1.05));
  const start = core.memory().numTensors;
  const atOnce = (await trainOn('off-by-5-later', 'batched')).call;
  const before = core.memory().numTensors;
  const { call: later, events } = await trainOn('off-by-5-later', 'deferred');
  // The record went out without the check, which followed it as an event of its own.
  const order = events.flatMap((e) => (e.type === 'gradient-call' || e.type === 'backend-check' ? [e.type] : []));
  assert.deepEqual(order, ['gradient-call', 'backend-check']);
  assert.equal(events.find((e) => e.type === 'gradient-call' && e.call.backendCheck), undefined);
  // Both runs build the same seeded model: the layers agree, the errors to float precision.
  const shape = (c: GradientCallRecord) => ({ ...c.backendCheck, worst: undefined, firstDivergent: c.backendCheck?.firstDivergent?.layer });
  assert.deepEqual(shape(later), shape(atOnce), 'the same layers compared, the same first divergent layer');
  assert.ok(later.backendCheck?.firstDivergent && Math.abs(later.backendCheck.firstDivergent.error - 0.05) < 1e-4);
  // The optimizer keeps its learning rate as a tensor, in both runs.
  assert.equal(core.memory().numTensors - before, before - start, 'nothing the check read is left');
});

test('of a forward pass too large to read whole, the layer outputs are compared in the batch\'s first examples, as many as fit', async () => {
  cpuTwin('off-by-5-large', (x) => x.map((v) => Math.max(0, v) * 1.05));
  // 2^19 examples: the data (x and y) hold 5 values each, the three layers' outputs 8 + 8 + 1.
  const rows = 1 << 19;
  const budget = CHECK_MAX_ELEMENTS - rows * 5;
  for (const strategy of ['immediate', 'batched', 'deferred'] as const) {
    const start = core.memory().numTensors;
    const { call, layers: infos } = await trainOn('off-by-5-large', strategy, undefined, rows);
    // The optimizer keeps its learning rate as a tensor: one left, as without the debugger (no slice of a read).
    assert.equal(core.memory().numTensors - start, 1, strategy);
    const check = call.backendCheck;
    assert.ok(check?.examples, `${strategy}: ${JSON.stringify(check)}`);
    assert.equal(check.examples.of, rows);
    // As many as fit, with the weights (113 values) and the loss's constants read too.
    const { compared } = check.examples;
    assert.ok(compared * 17 <= budget && (compared + 1) * 17 > budget - 200, `${strategy}: ${compared} examples compared`);
    assert.equal(check.layers, 3);
    assert.equal(check.firstDivergent?.layer, call.layers[1].layer, strategy);
    assert.ok(Math.abs(check.firstDivergent.error - 0.05) < 0.01, `${strategy}: error ${check.firstDivergent.error}`);
    assert.equal(check.firstNonFinite, null, `${strategy}: the examples not read are not taken for NaN`);
    const finding = diagnose(reportOf(call, infos, 'off-by-5-large')).find((f) => f.rule === 'backend-divergence');
    assert.match(finding?.message ?? '', new RegExp(`compared in the batch's first ${compared} of ${rows} examples`));
  }
});

test('a loss with abs (whose cpu kernel makes an engine tensor) leaves no tensor behind after the check', async () => {
  cpuTwin('cpu-twin-abs');
  const absolute: Loss = (y, p) => tf.losses.absoluteDifference(y, p);
  for (const strategy of ['deferred', 'batched'] as const) {
    const start = core.memory().numTensors;
    const { call } = await trainOn('cpu-twin-abs', strategy, absolute);
    assert.ok(call.backendCheck, strategy);
    assert.equal(call.backendCheck.firstDivergent, null, strategy);
    // The optimizer keeps its learning rate as a tensor: one left, as without the debugger.
    assert.equal(core.memory().numTensors - start, 1, strategy);
  }
});

test('in a page, the check runs in the frames the page leaves room in, and in long ones once the page\'s are all long', async () => {
  cpuTwin('cpu-twin-frames');
  // The page's frames, as the browser shows them: a frame is long when the page's own work took 150 ms of it by
  // the time the debugger's task runs in it (the task after each animation frame).
  const scope = globalThis as { document?: unknown; requestAnimationFrame?: unknown };
  let frame = 0;
  let longUpTo = 0;
  scope.document = { visibilityState: 'visible' };
  scope.requestAnimationFrame = (callback: (frameStart: number) => void) => setTimeout(() => {
    frame++;
    callback(performance.now() - (frame <= longUpTo ? 150 : 0));
  }, 0);
  // The frame in which each of the check's cpu kernels ran.
  const ranIn: number[] = [];
  const spied = core.getKernelsForBackend('cpu').map((k: { kernelFunc: (...a: unknown[]) => unknown }) => {
    const original = k.kernelFunc;
    k.kernelFunc = (...a: unknown[]) => {
      ranIn.push(frame);
      return original(...a);
    };
    return () => { k.kernelFunc = original; };
  });
  try {
    // The page's first frames after the call are long (it warms up), the later ones have room.
    longUpTo = 4;
    const warmingUp = (await trainOn('cpu-twin-frames', 'deferred')).call;
    assert.equal(warmingUp.backendCheck?.layers, 3, 'the check ran to its end');
    assert.ok(ranIn.length > 0 && Math.min(...ranIn) > longUpTo, `no kernel in a long frame: ran in frames ${[...new Set(ranIn)].join(', ')}`);
    // A page whose frames are all long: the check runs all the same, after ten of them in a row.
    ranIn.length = 0;
    frame = 0;
    longUpTo = Infinity;
    const allLong = (await trainOn('cpu-twin-frames', 'deferred')).call;
    assert.equal(allLong.backendCheck?.layers, 3);
    assert.ok(Math.min(...ranIn) >= 10, `waited for ten long frames: first kernel in frame ${Math.min(...ranIn)}`);
  } finally {
    for (const restore of spied) restore();
    delete scope.document;
    delete scope.requestAnimationFrame;
  }
});
