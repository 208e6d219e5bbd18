// Whole-process bench script: a small CNN with BatchNorm and Dropout on 28x28 grey images (synthetic digits:
// a bright bar whose position is the class), trained with model.fit in batches, MNIST-tutorial style.
const tf = require('@tensorflow/tfjs');
const { seed } = require('./seed');
seed(3);

const n = 256;
const images = new Float32Array(n * 28 * 28);
const labels = [];
for (let i = 0; i < n; i++) {
  const c = i % 10;
  labels.push(c);
  for (let r = 0; r < 28; r++) {
    for (let k = 0; k < 28; k++) {
      const bar = k >= c * 2 + 4 && k < c * 2 + 7 ? 0.8 : 0;
      images[i * 784 + r * 28 + k] = bar + Math.random() * 0.2;
    }
  }
}
const x = tf.tensor4d(images, [n, 28, 28, 1]);
const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
const model = tf.sequential({ layers: [
  tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
  tf.layers.batchNormalization(),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.flatten(),
  tf.layers.dropout({ rate: 0.25 }),
  tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.fit(x, y, {
  epochs: 1, batchSize: 32, verbose: 0,
  callbacks: { onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)} acc ${logs.acc.toFixed(3)}`) },
}).then(() => console.log('done'));
