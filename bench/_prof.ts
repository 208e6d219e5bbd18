import { createRequire } from 'node:module';
import * as path from 'node:path';
import { instrument } from '../src/core/instrument/instrument.ts';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol.ts';
const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs'); const core = load('@tensorflow/tfjs-core'); const layers = load('@tensorflow/tfjs-layers'); const wasm = load('@tensorflow/tfjs-backend-wasm');
async function main() {
  await wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await tf.setBackend('wasm');
  const x = tf.randomNormal([64, 64]); const y = tf.randomNormal([64, 1]);
  const ls = [tf.layers.dense({ units: 64, inputShape: [64] })];
  for (let i = 0; i < 34; i++) ls.push(tf.layers.dense({ units: 64 }), tf.layers.batchNormalization(), tf.layers.reLU());
  ls.push(tf.layers.dense({ units: 1 }));
  const m = tf.sequential({ layers: ls }); const opt = tf.train.sgd(0.01);
  const step = () => { const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, m.apply(x, { training: true }))); opt.applyGradients(grads); tf.dispose([value, grads]); };
  const mode = process.argv[2];
  const o = mode === 'cheap' ? { probeAllFirst: 0, probeEvery: 0 } : { probeAllFirst: 1e9, probeEvery: 1, attribution: 'always' };
  if (mode !== 'plain') instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...o, emit: () => undefined } as any);
  for (let i = 0; i < (mode === 'probed' ? 30 : 200); i++) step();
}
main();
