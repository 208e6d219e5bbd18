// Fine-tuning ported from Keras: the pretrained base is frozen with trainable = false, but tfjs still runs its
// BatchNormalization in training mode inside fit, so its moving statistics drift away from the pretrained ones.
const tf = require('@tensorflow/tfjs');

async function main() {
  const base = tf.sequential({ name: 'base', layers: [
    tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }),
    tf.layers.batchNormalization(),
  ] });
  const model = tf.sequential({ layers: [base, tf.layers.dense({ units: 1 })] });
  for (const layer of base.layers) layer.trainable = false; // "freeze the pretrained layers", as in Keras
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const xs = tf.randomNormal([32, 4], 2, 3);
  const ys = tf.randomNormal([32, 1]);
  await model.fit(xs, ys, { epochs: 2, batchSize: 16, verbose: 0 });
}
main();
