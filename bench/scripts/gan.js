// Whole-process bench script: a GAN trained in a custom loop, as the GAN examples do: a generator with
// BatchNorm, a discriminator with Dropout, each stepped with optimizer.minimize on its own variables.
const tf = require('@tensorflow/tfjs');
const { seed } = require('./seed');
seed(4);

const latent = 16;
const dim = 32;
const batch = 64;
const generator = tf.sequential({ layers: [
  tf.layers.dense({ units: 64, inputShape: [latent] }),
  tf.layers.batchNormalization(),
  tf.layers.leakyReLU({ alpha: 0.2 }),
  tf.layers.dense({ units: dim, activation: 'tanh' }),
] });
const discriminator = tf.sequential({ layers: [
  tf.layers.dense({ units: 64, inputShape: [dim] }),
  tf.layers.leakyReLU({ alpha: 0.2 }),
  tf.layers.dropout({ rate: 0.3 }),
  tf.layers.dense({ units: 1 }),
] });
const dOpt = tf.train.adam(0.0005, 0.5);
const gOpt = tf.train.adam(0.0005, 0.5);
const realData = () => tf.tidy(() => tf.sin(tf.randomUniform([batch, dim], 0, Math.PI * 2)).mul(0.8));
const bce = (labels, logits) => tf.losses.sigmoidCrossEntropy(labels, logits);

for (let step = 1; step <= 300; step++) {
  const real = realData();
  const noise = tf.randomNormal([batch, latent]);
  const dLoss = dOpt.minimize(() => {
    const fake = generator.apply(noise, { training: true });
    const realLogits = discriminator.apply(real, { training: true });
    const fakeLogits = discriminator.apply(fake, { training: true });
    return bce(tf.onesLike(realLogits), realLogits).add(bce(tf.zerosLike(fakeLogits), fakeLogits));
  }, true, discriminator.trainableWeights.map((w) => w.read()));
  const gLoss = gOpt.minimize(() => {
    const fakeLogits = discriminator.apply(generator.apply(noise, { training: true }), { training: true });
    return bce(tf.onesLike(fakeLogits), fakeLogits);
  }, true, generator.trainableWeights.map((w) => w.read()));
  if (step % 100 === 0) console.log(`step ${step}: d ${dLoss.dataSync()[0].toFixed(4)} g ${gLoss.dataSync()[0].toFixed(4)}`);
  tf.dispose([real, noise, dLoss, gLoss]);
}
console.log('done');
