// Times one training step (tf.variableGrads + SGD apply) of a small CNN on the wasm backend
// with the composed gradient kernels from src/core/backend/wasmGradientKernels.ts.
//   node --import tsx bench/wasm-conv-step.ts [--cpu]
// Model: batch 32 of 32x32x3 -> conv32-bn-relu -> conv64-bn-relu -> maxpool2 -> flatten -> dense10.
// --cpu also times the stock cpu backend on a batch of 2 and scales it by 16 (a full batch-32
// cpu step takes minutes; conv cost is linear in the batch, so this is an estimate).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../src/core/backend/wasmGradientKernels.ts';

const BATCH = 32;
const RUNS = 3;

function buildModel(): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization(),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization(),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10 }),
  ] });
}

/** Median ms of RUNS training steps after one warm-up step. */
async function timeStep(backend: string, batch: number): Promise<number> {
  await tf.setBackend(backend);
  const model = buildModel();
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = (): void => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    optimizer.applyGradients(grads);
    value.dataSync(); // wasm runs synchronously; this also waits for any pending work
  });
  step();
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  times.sort((a, b) => a - b);
  console.log(`  runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms; tensors leaked per ${RUNS} steps: ${leaked}`);
  return times[Math.floor(RUNS / 2)];
}

async function main(): Promise<void> {
  const wasmDist = path.dirname(createRequire(path.resolve('package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(wasmDist + path.sep);
  await tf.setBackend('wasm');
  console.log(`tfjs ${tf.version.tfjs}, wasm SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, ` +
    `threads ${String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}`);

  console.log(`registered: ${registerWasmGradientKernels(tf).join(', ')}`);
  console.log(`wasm, batch ${BATCH}, wasm's own Conv2DBackpropInput:`);
  const stock = await timeStep('wasm', BATCH);
  console.log(`wasm step: ${stock.toFixed(0)} ms (median of ${RUNS})`);

  console.log(`registered: ${registerWasmGradientKernels(tf, { fastConv2DBackpropInput: true }).join(', ')}`);
  console.log(`wasm, batch ${BATCH}, composed Conv2DBackpropInput (fastConv2DBackpropInput):`);
  const fast = await timeStep('wasm', BATCH);
  console.log(`wasm step (fast input grad): ${fast.toFixed(0)} ms (median of ${RUNS})`);

  if (process.argv.includes('--cpu')) {
    console.log('cpu, batch 2 (stock tfjs-backend-cpu kernels):');
    const cpu = await timeStep('cpu', 2);
    console.log(`cpu step: ${cpu.toFixed(0)} ms for batch 2, ~${((cpu * BATCH) / 2 / 1000).toFixed(0)} s scaled to batch ${BATCH}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
