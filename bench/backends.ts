// Part (c) of npm run bench: one training step of the issue's CNN on each backend the runner can use, and
// the arithmetic rate it reaches against this machine's measured matmul peak.
//   node --import tsx bench/backends.ts [--quick]
// Model: batch 32 of 32x32x3 -> conv32-bn-relu -> conv64-bn-relu -> maxpool2 -> flatten -> dense10, a
// tf.variableGrads step plus SGD. The stock cpu backend takes minutes for batch 32, so it runs batch 2 and is
// scaled by 16 (conv cost is linear in the batch); the table says so. Then an LSTM and an Embedding text
// model, the same step, on cpu, on wasm as it was before issue #16 and on the bundled default now.
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmGradientKernels } from '../src/core/backend/wasmGradientKernels.ts';
import { setUpWasmKernels } from '../src/core/backend/wasmKernels.ts';
import { runAlone, type BenchSection } from './section.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');
const BATCH = 32;

function buildModel() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 10 }),
  ] });
}

/**
 * Multiply-adds ×2 of one training step at a batch size: each conv and the dense layer cost their forward
 * product once forward and twice backward (input gradient and weight gradient), except that the first conv
 * needs no input gradient. Elementwise work (BatchNorm, ReLU, pooling) is left out: it is small and is not
 * what a matmul peak measures.
 */
export function cnnStepFlops(batch: number): number {
  const conv1 = 2 * batch * 32 * 32 * 32 * 3 * 3 * 3;
  const conv2 = 2 * batch * 32 * 32 * 64 * 3 * 3 * 32;
  const dense = 2 * batch * 16 * 16 * 64 * 10;
  return conv1 * 2 + (conv2 + dense) * 3;
}

/** A model the part times: a builder and a batch of data. */
interface Workload {
  name: string;
  build: () => any;
  data: (batch: number) => { x: any; y: any };
}

const CNN: Workload = {
  name: 'CNN (32x32x3, conv32-bn-relu-conv64-bn-relu-pool-dense10)',
  build: buildModel,
  data: (batch) => ({ x: tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1), y: tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10) }),
};
const LSTM: Workload = {
  name: 'LSTM (50 steps of 32 features, lstm64-dense10)',
  build: () => tf.sequential({ layers: [tf.layers.lstm({ inputShape: [50, 32], units: 64 }), tf.layers.dense({ units: 10 })] }),
  data: (batch) => ({ x: tf.randomNormal([batch, 50, 32], 0, 1, 'float32', 1), y: tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10) }),
};
const TEXT: Workload = {
  name: 'text (50 tokens of 5,000, embedding32-flatten-dense16-dense10)',
  build: () => tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 5000, outputDim: 32, inputLength: 50 }), tf.layers.flatten(),
    tf.layers.dense({ units: 16, activation: 'relu' }), tf.layers.dense({ units: 10 }),
  ] }),
  data: (batch) => ({ x: tf.randomUniform([batch, 50], 0, 5000, 'int32', 1), y: tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10) }),
};

/** Median ms of one step (tf.variableGrads + SGD, the loss read back) after a warm-up; `best` gets the fastest. */
async function stepMs(backend: string, batch: number, runs: number, workload: Workload = CNN, best?: { ms: number }): Promise<number> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const model = workload.build();
  const optimizer = tf.train.sgd(0.01);
  const { x, y } = workload.data(batch);
  const step = () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })));
    optimizer.applyGradients(grads);
    value.dataSync();
  });
  try {
    step();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      step();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    if (best) best.ms = times[0];
    return times[Math.floor(times.length / 2)];
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** The step time, or the error that stopped it (a kernel wasm lacks). */
async function stepOrError(backend: string, batch: number, runs: number, workload: Workload): Promise<number | string> {
  try {
    return await stepMs(backend, batch, runs, workload);
  } catch (e) {
    return (e as Error).message;
  }
}

/** GFLOP/s of a square float32 matmul on the current backend: the practical peak of what tfjs can reach. */
function matmulPeak(n: number, runs: number): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dispose();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    times.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  times.sort((x, y) => x - y);
  return (2 * n ** 3) / (times[0] / 1000) / 1e9;
}

function tfjsNodeAvailable(): boolean {
  try {
    load.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

export async function run({ quick }: { quick: boolean }): Promise<BenchSection> {
  const wasm = load('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  const runs = quick ? 2 : 12;
  const flops = cnnStepFlops(BATCH);
  // Before issue #16: stock wasm plus the convolution gradient kernels only.
  registerWasmGradientKernels(load('@tensorflow/tfjs-core'), { fastConv2DBackpropInput: true });
  const beforeBest = { ms: 0 };
  const beforeMs = await stepMs('wasm', BATCH, runs, CNN, beforeBest);
  const others = [LSTM, TEXT];
  const othersBefore: Array<number | string> = [];
  for (const w of others) othersBefore.push(await stepOrError('wasm', BATCH, runs, w));
  // As the runner sets up the bundled backend now (src/runner/backend.ts).
  setUpWasmKernels(load('@tensorflow/tfjs-core'));
  const wasmBest = { ms: 0 };
  const wasmMs = await stepMs('wasm', BATCH, runs, CNN, wasmBest);
  const wasmPeak = matmulPeak(1024, runs);
  const othersNow: number[] = [];
  for (const w of others) othersNow.push(await stepMs('wasm', BATCH, runs, w));
  const othersCpu: number[] = [];
  for (const w of others) othersCpu.push(await stepMs('cpu', BATCH, 1, w));
  const cpuSmall = await stepMs('cpu', 2, 1);
  const cpuMs = (cpuSmall * BATCH) / 2;
  const cpuPeak = matmulPeak(256, 2);
  const gflops = (ms: number) => flops / (ms / 1000) / 1e9;

  const rows = [
    `| stock cpu (tfjs-backend-cpu) | ${(cpuMs / 1000).toFixed(1)} s (batch 2: ${(cpuSmall / 1000).toFixed(2)} s, ×16) | ${gflops(cpuMs).toFixed(3)} | ${cpuPeak.toFixed(2)} | ${(gflops(cpuMs) / cpuPeak * 100).toFixed(0)}% | 1 |`,
    `| wasm + the convolution gradient kernels only (before #16) | ${(beforeMs / 1000).toFixed(2)} s (best ${(beforeBest.ms / 1000).toFixed(2)} s) | ${gflops(beforeMs).toFixed(2)} (best ${gflops(beforeBest.ms).toFixed(2)}) | ${wasmPeak.toFixed(2)} | ${(gflops(beforeMs) / wasmPeak * 100).toFixed(0)}% (best ${(gflops(beforeBest.ms) / wasmPeak * 100).toFixed(0)}%) | ${(cpuMs / beforeMs).toFixed(0)} |`,
    `| bundled default: wasm + all the debugger's kernels (src/core/backend/wasmKernels.ts) | ${(wasmMs / 1000).toFixed(2)} s (best ${(wasmBest.ms / 1000).toFixed(2)} s) | ${gflops(wasmMs).toFixed(2)} (best ${gflops(wasmBest.ms).toFixed(2)}) | ${wasmPeak.toFixed(2)} | ${(gflops(wasmMs) / wasmPeak * 100).toFixed(0)}% (best ${(gflops(wasmBest.ms) / wasmPeak * 100).toFixed(0)}%) | ${(cpuMs / wasmMs).toFixed(0)} |`,
  ];
  let nodeNote = 'tfjs-node is not installed here (it downloads a native TensorFlow at install time, which this machine cannot), so it is skipped.';
  if (tfjsNodeAvailable()) {
    load('@tensorflow/tfjs-node');
    const nodeMs = await stepMs('tensorflow', BATCH, runs);
    const nodePeak = matmulPeak(1024, runs);
    rows.push(`| tfjs-node (TensorFlow C library) | ${(nodeMs / 1000).toFixed(2)} s | ${gflops(nodeMs).toFixed(2)} | ${nodePeak.toFixed(2)} | ${(gflops(nodeMs) / nodePeak * 100).toFixed(0)}% | ${(cpuMs / nodeMs).toFixed(0)} |`);
    nodeNote = 'tfjs-node is installed and was measured.';
  }
  const speedup = cpuMs / wasmMs;
  const markdown = [
    `One training step (tf.variableGrads + SGD) of the CNN, batch ${BATCH}; median of ${runs} steps after a warm-up. ` +
      `The step is ${(flops / 1e9).toFixed(2)} GFLOP of convolution and dense arithmetic (forward, input and weight gradients). ` +
      'The peak is the best of a square float32 tf.matMul on the same backend (1024² on wasm, 256² on cpu); the wasm rows give ' +
      'the median step and, like the peak, the best one (on a machine shared with other work, the best is the one load did not slow).',
    nodeNote,
    '',
    '| backend | one step | GFLOP/s | matmul peak GFLOP/s | of peak | × stock cpu |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Target: the bundled default ≥ 100× faster than stock cpu: ${speedup.toFixed(0)}× (${speedup >= 100 ? 'met' : 'not met'}). ` +
      `Target: ≥ 40% of the wasm matmul peak: ${(gflops(wasmMs) / wasmPeak * 100).toFixed(0)}% by the median step, ` +
      `${(gflops(wasmBest.ms) / wasmPeak * 100).toFixed(0)}% by the best (${gflops(wasmMs) / wasmPeak >= 0.4 ? 'met' : gflops(wasmBest.ms) / wasmPeak >= 0.4 ? 'met by the best step only' : 'not met'}).`,
    '',
    `Two more models, the same step at batch ${BATCH} (stock cpu: one step after a warm-up):`,
    '',
    '| model | stock cpu | wasm before #16 | bundled default now | × stock cpu |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...others.map((w, i) => {
      const before = othersBefore[i];
      return `| ${w.name} | ${othersCpu[i].toFixed(0)} ms | ${typeof before === 'number' ? `${before.toFixed(0)} ms` : `fails: ${before}`} | ` +
        `${othersNow[i].toFixed(0)} ms | ${(othersCpu[i] / othersNow[i]).toFixed(0)} |`;
    }),
  ].join('\n');
  return {
    title: 'Backends: one CNN training step',
    markdown,
    summary: `CNN step: cpu ${(cpuMs / 1000).toFixed(1)} s, wasm ${(beforeMs / 1000).toFixed(2)} s before #16, ${(wasmMs / 1000).toFixed(2)} s now (${speedup.toFixed(0)}×), ` +
      `${gflops(wasmMs).toFixed(2)} GFLOP/s of a ${wasmPeak.toFixed(2)} GFLOP/s matmul peak`,
  };
}

if (require.main === module) runAlone(run);
