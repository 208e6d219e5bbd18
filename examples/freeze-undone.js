// Fine-tuning with a frozen base built as a tf.sequential and added to another tf.sequential. tfjs 4.22 undoes
// `base.trainable = false` when the outer model is built at compile (it sets every weight inside base trainable
// again), so fit trains the base: its kernel changes, though model.trainableWeights lists only the head.
const tf = require('@tensorflow/tfjs');

const base = tf.sequential({ name: 'base', layers: [
  tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }),
  tf.layers.dense({ units: 8, activation: 'relu' }),
] });
const model = tf.sequential({ layers: [base, tf.layers.dense({ units: 1 })] });
base.trainable = false;
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });

const xs = tf.tensor2d([[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]]);
const ys = tf.tensor2d([[1], [2], [3], [4]]);
const before = base.layers[0].getWeights()[0].dataSync().slice();
model.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0 }).then(() => {
  const after = base.layers[0].getWeights()[0].dataSync();
  console.log('trainable weights listed:', model.trainableWeights.length);
  console.log('base kernel changed:', before.some((v, i) => v !== after[i]));
});
