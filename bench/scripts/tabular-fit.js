// Whole-process bench script: model.fit on tabular data (binary classification, 4,000 rows of 24 features),
// the way a first tutorial does it: dense layers with Dropout, validation split, an epoch log.
const tf = require('@tensorflow/tfjs');
const { seed } = require('./seed');
seed(1);

const rows = 4000;
const features = 24;
const x = tf.randomNormal([rows, features]);
const w = tf.randomNormal([features, 1]);
const y = tf.tidy(() => x.matMul(w).add(tf.randomNormal([rows, 1], 0, 0.5)).greater(0).asType('float32'));

const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 64, activation: 'relu', inputShape: [features] }),
  tf.layers.dropout({ rate: 0.2 }),
  tf.layers.dense({ units: 32, activation: 'relu' }),
  tf.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
model.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
model.fit(x, y, {
  epochs: 8, batchSize: 32, validationSplit: 0.2, verbose: 0,
  callbacks: { onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)} val_acc ${logs.val_acc.toFixed(3)}`) },
}).then(() => console.log('done'));
