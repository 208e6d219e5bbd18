// Part (c) of npm run bench: one training step of the CNN on each backend the runner can use, and
// the arithmetic rate it reaches against this machine's measured matmul peak.
//   node --import tsx bench/backends.ts [--quick]
// Model: batch 32 of 32x32x3 -> conv32-bn-relu -> conv64-bn-relu -> maxpool2 -> flatten -> dense10, a
// tf.variableGrads step plus SGD. The stock cpu backend takes minutes for batch 32, so it runs batch 2 and is
// scaled by 16 (conv cost is linear in the batch); the table says so.
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmGradientKernels } from '../src/engine/backend/wasmGradientKernels.ts';
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

async function stepMs(backend: string, batch: number, runs: number): Promise<number> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const model = buildModel();
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const step = () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })));
    optimizer.applyGradients(grads);
    value.dataSync();
  });
  step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
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
  // As the runner sets up the bundled backend (src/engine/backend/backend.ts).
  registerWasmGradientKernels(load('@tensorflow/tfjs-core'), { fastConv2DBackpropInput: true });
  const runs = quick ? 2 : 5;
  const flops = cnnStepFlops(BATCH);

  const wasmMs = await stepMs('wasm', BATCH, runs);
  const wasmPeak = matmulPeak(1024, runs);
  const cpuSmall = await stepMs('cpu', 2, 1);
  const cpuMs = (cpuSmall * BATCH) / 2;
  const cpuPeak = matmulPeak(256, 2);
  const gflops = (ms: number) => flops / (ms / 1000) / 1e9;

  const rows = [
    `| stock cpu (tfjs-backend-cpu) | ${(cpuMs / 1000).toFixed(1)} s (batch 2: ${(cpuSmall / 1000).toFixed(2)} s, ×16) | ${gflops(cpuMs).toFixed(3)} | ${cpuPeak.toFixed(2)} | ${(gflops(cpuMs) / cpuPeak * 100).toFixed(0)}% | 1 |`,
    `| bundled default: wasm + the debugger's gradient kernels | ${(wasmMs / 1000).toFixed(2)} s | ${gflops(wasmMs).toFixed(2)} | ${wasmPeak.toFixed(2)} | ${(gflops(wasmMs) / wasmPeak * 100).toFixed(0)}% | ${(cpuMs / wasmMs).toFixed(0)} |`,
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
      'The peak is the best of a square float32 tf.matMul on the same backend (1024² on wasm, 256² on cpu).',
    nodeNote,
    '',
    '| backend | one step | GFLOP/s | matmul peak GFLOP/s | of peak | × stock cpu |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Target: the bundled default ≥ 100× faster than stock cpu: ${speedup.toFixed(0)}× (${speedup >= 100 ? 'met' : 'not met'}).`,
  ].join('\n');
  return {
    title: 'Backends: one CNN training step',
    markdown,
    summary: `CNN step: cpu ${(cpuMs / 1000).toFixed(1)} s, wasm ${(wasmMs / 1000).toFixed(2)} s (${speedup.toFixed(0)}×), ` +
      `${gflops(wasmMs).toFixed(2)} GFLOP/s of a ${wasmPeak.toFixed(2)} GFLOP/s matmul peak`,
  };
}

if (require.main === module) runAlone(run);
