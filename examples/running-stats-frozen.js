// A custom training loop that forgets {training: true}: BatchNorm runs in inference mode in every step, so its
// moving statistics never learn the data.
const tf = require('@tensorflow/tfjs');

const xs = tf.randomNormal([32, 6], 3, 2);
const ys = tf.randomNormal([32, 1]);
const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 6, inputShape: [6], activation: 'relu' }),
  tf.layers.batchNormalization(),
  tf.layers.dense({ units: 1 }),
] });
const optimizer = tf.train.sgd(0.01);
for (let step = 0; step < 10; step++) {
  optimizer.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs)));
}
