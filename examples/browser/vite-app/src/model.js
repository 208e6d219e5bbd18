// The model and data, built the same way in the page and in a Node script (test/fixtures/scripts/page-model.mjs),
// so that the debugger's findings can be compared between the two. Math.random is seeded first: tfjs's weight
// initializers and fit's shuffling draw from it.
export function seedRandom(seed) {
  let a = seed >>> 0;
  Math.random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildModel(tf) {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 1 }),
  ] });
}

export function makeData(tf) {
  const xs = tf.randomNormal([64, 8], 2, 3, 'float32', 1);
  const ys = tf.tidy(() => xs.sum(1, true).mul(0.1));
  return { xs, ys };
}

/** Trains as the page does; returns the inference-mode loss at the end. */
export async function train(tf) {
  seedRandom(42);
  const model = buildModel(tf);
  const { xs, ys } = makeData(tf);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  await model.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });
  return model.evaluate(xs, ys).dataSync()[0];
}
