// An evaluation script: it builds a model and predicts, but never trains.
const tf = require('@tensorflow/tfjs');

const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
const predictions = model.predict(tf.randomNormal([4, 3]));
console.log('predicted classes', Array.from(predictions.argMax(1).dataSync()));
