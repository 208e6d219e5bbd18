// A Vite app that imports tfjs and trains a model with BatchNormalization and Dropout with model.fit.
// ?backend=cpu (or wasm, webgpu) picks another tfjs backend than the default (webgl).
import * as tf from '@tensorflow/tfjs';
import { train } from './model.js';

async function main() {
  const backend = new URLSearchParams(location.search).get('backend');
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const loss = await train(tf);
  document.getElementById('status').textContent = `done on ${tf.getBackend()}: inference loss ${loss.toFixed(4)}`;
  console.log(`done on ${tf.getBackend()}: inference loss ${loss}`);
}
main();
