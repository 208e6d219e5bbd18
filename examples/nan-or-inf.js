// A learning rate far too high: the weights blow up and the second layer's output turns to Inf and NaN.
const tf = require('@tensorflow/tfjs');

const xs = tf.randomNormal([16, 3]);
const ys = tf.randomNormal([16, 1]).mul(1000);
const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 4, inputShape: [3] }),
  tf.layers.dense({ units: 4, activation: 'relu' }),
  tf.layers.dense({ units: 1 }),
] });
const optimizer = tf.train.sgd(50);
for (let step = 0; step < 12; step++) {
  optimizer.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs, { training: true })));
}
