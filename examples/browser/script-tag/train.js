// Trains a small model with BatchNormalization and Dropout in the page, with a custom loop: the loss inside
// each gradient call differs from the loss the same weights give in inference mode. ?backend=cpu (or wasm)
// picks another tfjs backend than the default (webgl).
// Math.random seeded, so that every run trains the same (tfjs's initializers draw from it).
let seed = 7;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

async function train() {
  const backend = new URLSearchParams(location.search).get('backend');
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 1 }),
  ] });
  const xs = tf.randomNormal([64, 8], 2, 3, 'float32', 1);
  const ys = tf.tidy(() => xs.sum(1, true).mul(0.1));
  const optimizer = tf.train.adam(0.01);
  for (let step = 0; step < 20; step++) {
    optimizer.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs, { training: true })));
    await tf.nextFrame();
  }
  const loss = tf.losses.meanSquaredError(ys, model.predict(xs)).dataSync()[0];
  document.getElementById('status').textContent = `done on ${tf.getBackend()}: inference loss ${loss.toFixed(4)}`;
  console.log(`done on ${tf.getBackend()}: inference loss ${loss}`);
}
train();
