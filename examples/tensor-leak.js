// A custom loop that never disposes what variableGrads returns: two tensors per weight leak every step.
const tf = require('@tensorflow/tfjs');

const xs = tf.randomNormal([16, 5]);
const ys = tf.randomNormal([16, 1]);
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [5] })] });
const optimizer = tf.train.sgd(0.01);
for (let step = 0; step < 40; step++) {
  const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(ys, model.apply(xs)));
  optimizer.applyGradients(grads);
  if (step % 10 === 0) console.log('step', step, 'loss', value.dataSync()[0]);
}
