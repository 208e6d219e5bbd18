// Trains a small model with BatchNormalization and Dropout off the page's main thread, with model.fit: the loss
// fit reports (training mode) differs from the loss the same weights give in inference mode.
importScripts('../../../node_modules/@tensorflow/tfjs/dist/tf.min.js');

// Math.random seeded, so that every run trains the same (tfjs's initializers and fit's shuffle draw from it).
let seed = 11;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

onmessage = async ({ data }) => {
  if (data.backend) await tf.setBackend(data.backend);
  await tf.ready();
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 1 }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const xs = tf.randomNormal([64, 8], 2, 3, 'float32', 1);
  const ys = tf.tidy(() => xs.sum(1, true).mul(0.1));
  await model.fit(xs, ys, { epochs: 3, batchSize: 16 });
  const loss = tf.losses.meanSquaredError(ys, model.predict(xs)).dataSync()[0];
  postMessage(`done in a worker on ${tf.getBackend()}: inference loss ${loss}`);
};
