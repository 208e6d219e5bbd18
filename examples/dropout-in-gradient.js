// A classifier with Dropout trained with fit: the loss fit reports is computed with units dropped.
const tf = require('@tensorflow/tfjs');

async function main() {
  const xs = tf.randomNormal([128, 12]);
  const labels = tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 4), 'int32');
  const ys = tf.oneHot(labels, 4);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 32, inputShape: [12], activation: 'relu' }),
    tf.layers.dropout({ rate: 0.4 }),
    tf.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
}
main();
