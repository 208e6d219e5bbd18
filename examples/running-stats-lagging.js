// BatchNorm with a momentum ported from Keras' 0.999 on raw (unnormalised) inputs: after many steps the moving
// statistics still lag the batch statistics, and the model does much worse in inference than in training.
const tf = require('@tensorflow/tfjs');

const xs = tf.randomUniform([64, 4], 100, 200); // raw sensor readings, never normalised
const ys = xs.mean(1, true).div(100);
const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 8, inputShape: [4] }),
  tf.layers.batchNormalization({ momentum: 0.999 }),
  tf.layers.dense({ units: 1 }),
] });
const optimizer = tf.train.adam(0.01);
for (let step = 0; step < 30; step++) {
  optimizer.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs, { training: true })));
}
console.log('inference loss', tf.losses.meanSquaredError(ys, model.predict(xs)).dataSync()[0]);
