// The app's training in a module worker (main.js, ?worker): the worker imports tfjs itself, an instance apart
// from the page's.
import * as tf from '@tensorflow/tfjs';
import { train } from './model.js';

self.onmessage = async (e) => {
  if (e.data.backend) await tf.setBackend(e.data.backend);
  await tf.ready();
  const loss = await train(tf);
  self.postMessage(`done in a worker on ${tf.getBackend()}: inference loss ${loss}`);
};
