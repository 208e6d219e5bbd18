// Whole-process bench script: an LSTM on sequences (predict the next value of noisy sine waves), trained
// with model.fit, as in the time-series tutorials.
const tf = require('@tensorflow/tfjs');
const { seed } = require('./seed');
seed(2);

const samples = 512;
const steps = 20;
const series = [];
const targets = [];
for (let i = 0; i < samples; i++) {
  const phase = Math.random() * Math.PI * 2;
  const freq = 0.1 + Math.random() * 0.2;
  const seq = Array.from({ length: steps + 1 }, (_, t) => [Math.sin(phase + freq * t) + (Math.random() - 0.5) * 0.1]);
  series.push(seq.slice(0, steps));
  targets.push(seq[steps]);
}
const x = tf.tensor3d(series);
const y = tf.tensor2d(targets);
const model = tf.sequential({ layers: [
  tf.layers.lstm({ units: 32, inputShape: [steps, 1] }),
  tf.layers.dense({ units: 1 }),
] });
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
model.fit(x, y, {
  epochs: 4, batchSize: 32, verbose: 0,
  callbacks: { onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(5)}`) },
}).then(() => console.log('done'));
