// A GAN in the style of the ACGAN example: the discriminator is compiled, then `discriminator.trainable =
// false` to build the combined model. tfjs applies that flag to the discriminator's own layers at once, so
// discriminator.trainOnBatch no longer trains its two output heads (its nested feature extractor still
// trains): their weights never change, and nothing says so.
const tf = require('@tensorflow/tfjs');

const latent = 8;
const features = tf.sequential({ name: 'features', layers: [
  tf.layers.dense({ units: 16, inputShape: [12], activation: 'relu' }),
  tf.layers.dense({ units: 16, activation: 'relu' }),
] });
const image = tf.input({ shape: [12] });
const h = features.apply(image);
const realOrFake = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'real_or_fake' }).apply(h);
const label = tf.layers.dense({ units: 3, activation: 'softmax', name: 'label' }).apply(h);
const discriminator = tf.model({ inputs: image, outputs: [realOrFake, label], name: 'discriminator' });
discriminator.compile({ optimizer: tf.train.adam(0.001), loss: ['binaryCrossentropy', 'sparseCategoricalCrossentropy'] });

const generator = tf.sequential({ name: 'generator', layers: [
  tf.layers.dense({ units: 16, inputShape: [latent], activation: 'relu' }),
  tf.layers.dense({ units: 12, activation: 'tanh' }),
] });
discriminator.trainable = false; // so that the combined model trains only the generator
const z = tf.input({ shape: [latent] });
const [fakeScore, fakeLabel] = discriminator.apply(generator.apply(z));
const combined = tf.model({ inputs: z, outputs: [fakeScore, fakeLabel], name: 'combined' });
combined.compile({ optimizer: tf.train.adam(0.001), loss: ['binaryCrossentropy', 'sparseCategoricalCrossentropy'] });

async function main() {
  const batch = 16;
  for (let step = 0; step < 5; step++) {
    const real = tf.randomUniform([batch, 12], -1, 1);
    const fake = generator.predict(tf.randomNormal([batch, latent]));
    const images = tf.concat([real, fake]);
    const isReal = tf.concat([tf.ones([batch, 1]), tf.zeros([batch, 1])]);
    const labels = tf.tensor2d(Array.from({ length: 2 * batch }, (_, i) => [i % 3]));
    const [dLoss] = await discriminator.trainOnBatch(images, [isReal, labels]);
    const [gLoss] = await combined.trainOnBatch(tf.randomNormal([batch, latent]), [tf.ones([batch, 1]), labels.slice(0, batch)]);
    console.log(`step ${step}: discriminator ${dLoss.toFixed(4)} combined ${gLoss.toFixed(4)}`);
    tf.dispose([real, fake, images, isReal, labels]);
  }
}
main();
