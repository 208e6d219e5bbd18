import { createRequire } from 'node:module';
import * as path from 'node:path';
import { instrument } from '../src/core/instrument/instrument.ts';
import { registerWasmGradientKernels } from '../src/core/backend/wasmGradientKernels.ts';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol.ts';
const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs'); const core = load('@tensorflow/tfjs-core'); const layers = load('@tensorflow/tfjs-layers'); const wasm = load('@tensorflow/tfjs-backend-wasm');
async function main() {
  await wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await tf.setBackend(process.argv[2] ?? 'wasm'); registerWasmGradientKernels(core, { fastConv2DBackpropInput: true });
  const x = tf.randomNormal([64, 64]); const y = tf.randomNormal([64, 1]);
  const ls = [tf.layers.dense({ units: 64, inputShape: [64] })];
  for (let i = 0; i < 34; i++) ls.push(tf.layers.dense({ units: 64 }), tf.layers.batchNormalization(), tf.layers.reLU());
  ls.push(tf.layers.dense({ units: 1 }));
  const m = tf.sequential({ layers: ls }); const opt = tf.train.sgd(0.01);
  const step = () => { const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, m.apply(x, { training: true }))); opt.applyGradients(grads); tf.dispose([value, grads]); };
  const fwd = () => tf.tidy(() => m.apply(x).dataSync());
  const t = (f: () => void, n: number) => { const s = process.cpuUsage(); for (let i = 0; i < n; i++) f(); const u = process.cpuUsage(s); return (u.user + u.system) / 1000 / n; };
  for (let i = 0; i < 5; i++) step();
  const configs: Record<string, any> = { cheap: { probeAllFirst: 0, probeEvery: 0 }, probedNoAttr: { probeAllFirst: 1e9, probeEvery: 1, attribution: 'off' }, probed: { probeAllFirst: 1e9, probeEvery: 1, attribution: 'always' } };
  for (let r = 0; r < 3; r++) {
    const plain = t(step, 10); const f = t(fwd, 10);
    const out: string[] = [`plain ${plain.toFixed(1)} fwd ${f.toFixed(2)}`];
    for (const [name, o] of Object.entries(configs)) {
      const h = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...o, emit: () => undefined });
      const ms = t(step, 5); h.uninstall();
      out.push(`${name} +${(ms - plain).toFixed(1)}ms (${((ms - plain) / f).toFixed(1)} fwd)`);
    }
    console.log(out.join(' | '));
  }
}
main();
