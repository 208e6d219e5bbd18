// A Vite app that imports tfjs and trains a model with BatchNormalization and Dropout with model.fit.
// ?backend=cpu (or wasm, webgpu) picks another tfjs backend than the default (webgl); ?worker trains the same
// model in a module worker (worker.js), which imports a tfjs of its own.
import * as tf from '@tensorflow/tfjs';
import { train } from './model.js';

const params = new URLSearchParams(location.search);
const show = (text) => {
  document.getElementById('status').textContent = text;
  console.log(text);
};

async function main() {
  const backend = params.get('backend');
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const loss = await train(tf);
  show(`done on ${tf.getBackend()}: inference loss ${loss}`);
}

if (params.has('worker')) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => show(e.data);
  worker.postMessage({ backend: params.get('backend') });
} else {
  main();
}
