// Fine-tuning a pretrained base, the Keras way: `base.trainable = false` on the base model, a new head on top
// (the base called as a layer of the new model), model.fit. tfjs drops the base's weights from training, but fit still runs every layer in training
// mode, so the base's 27 BatchNormalization layers normalise with batch statistics and drift away from their
// pretrained moving statistics.
const tf = require('@tensorflow/tfjs');

function mobileNetLikeBase() {
  const input = tf.input({ shape: [16] });
  let x = input;
  for (let block = 0; block < 27; block++) {
    x = tf.layers.dense({ units: 16, useBias: false }).apply(x);
    x = tf.layers.batchNormalization().apply(x);
    x = tf.layers.reLU().apply(x);
  }
  return tf.model({ inputs: input, outputs: x, name: 'base' });
}

async function main() {
  const base = mobileNetLikeBase(); // stands in for tf.loadLayersModel('…/mobilenet/model.json')
  base.trainable = false;
  const input = tf.input({ shape: [16] });
  const output = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(base.apply(input));
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const xs = tf.randomNormal([64, 16], 1, 2);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3), 'int32'), 3);
  const history = await model.fit(xs, ys, { epochs: 2, batchSize: 16, verbose: 0 });
  console.log('final loss', history.history.loss[1]);
}
main();
