// npm run bench: instrumentation overhead and probe cost, measured in one process, interleaved (A B A B …),
// medians over rounds. Writes the table to docs/PERFORMANCE.md with the machine it ran on.
//
//   (a) overhead per training step, cheap taps on every call and probes every 10th (the default past the
//       first 50 calls), against no debugger;
//   (b) the extra cost of one probed call (before, after, attribution), in plain forward passes;
//   (c) one CNN training step on each backend.
//
// Options: --quick (fewer rounds, for a smoke run), --only NAME.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { instrument } from '../src/core/instrument/instrument.ts';
import { registerWasmGradientKernels } from '../src/core/backend/wasmGradientKernels.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../src/protocol.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');
const wasm = load('@tensorflow/tfjs-backend-wasm');

const quick = process.argv.includes('--quick');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const ROUNDS = quick ? 3 : 7;

interface Workload {
  name: string;
  backend: 'cpu' | 'wasm';
  steps: number;
  build: () => { step: () => void; forward: () => void; dispose: () => void; trainingLayers: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timeMs(fn: () => void, n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t) / n;
}

/** A custom training step: variableGrads + optimizer step, disposing what it gets back. */
function trainer(model: any, x: any, y: any, loss: (y: any, p: any) => any) {
  const opt = tf.train.sgd(0.01);
  return {
    step: () => {
      const { value, grads } = tf.variableGrads(() => loss(y, model.apply(x, { training: true })));
      opt.applyGradients(grads);
      tf.dispose([value, grads]);
    },
    forward: () => tf.tidy(() => model.apply(x).dataSync()),
    dispose: () => { tf.dispose([x, y]); opt.dispose(); model.dispose(); },
  };
}

const mse = (y: any, p: any) => tf.losses.meanSquaredError(y, p);
const xent = (y: any, p: any) => tf.losses.softmaxCrossEntropy(y, p);

const WORKLOADS: Workload[] = [
  {
    name: 'shared example (BatchNorm + 1x1 conv, 100x100x1)', backend: 'cpu', steps: 10,
    build: () => {
      const x = tf.randomUniform([1, 100, 100, 1]);
      const y = x.mul(5).add(3);
      const m = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [100, 100, 1] }), tf.layers.conv2d({ filters: 1, kernelSize: 1 })] });
      return { ...trainer(m, x, y, mse), trainingLayers: 1 };
    },
  },
  {
    name: 'CNN (32x32x3, batch 32, conv32-bn-relu-conv64-bn-relu-pool-dense10)', backend: 'wasm', steps: 10,
    build: () => {
      const x = tf.randomNormal([32, 32, 32, 3]);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32'), 10);
      const m = tf.sequential({ layers: [
        tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', inputShape: [32, 32, 3] }),
        tf.layers.batchNormalization(), tf.layers.reLU(),
        tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),
        tf.layers.batchNormalization(), tf.layers.reLU(),
        tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 10 }),
      ] });
      return { ...trainer(m, x, y, xent), trainingLayers: 2 };
    },
  },
  {
    name: 'MLP with Dropout (784-512-512-10, batch 128)', backend: 'wasm', steps: 20,
    build: () => {
      const x = tf.randomNormal([128, 784]);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 10), 'int32'), 10);
      const m = tf.sequential({ layers: [
        tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }), tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 512, activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 10 }),
      ] });
      return { ...trainer(m, x, y, xent), trainingLayers: 2 };
    },
  },
  {
    name: 'deep (34 blocks dense64-bn-relu: 103 layers, batch 64)', backend: 'wasm', steps: 10,
    build: () => {
      const x = tf.randomNormal([64, 64]);
      const y = tf.randomNormal([64, 1]);
      const ls = [tf.layers.dense({ units: 64, inputShape: [64] })];
      for (let i = 0; i < 34; i++) ls.push(tf.layers.dense({ units: 64 }), tf.layers.batchNormalization(), tf.layers.reLU());
      ls.push(tf.layers.dense({ units: 1 }));
      const m = tf.sequential({ layers: ls.slice(0, 1).concat(ls.slice(1)) });
      return { ...trainer(m, x, y, mse), trainingLayers: 34 };
    },
  },
];

async function setBackend(name: 'cpu' | 'wasm') {
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed`);
  }
}

/** Median ms per step over interleaved rounds: plain, then instrumented with the given options. */
function interleaved(w: ReturnType<Workload['build']>, steps: number, options: Partial<RunOptions>, rounds = ROUNDS): { plain: number; instrumented: number } {
  const plain: number[] = [];
  const inst: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(timeMs(w.step, steps));
    const handle = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...options, emit: () => undefined });
    try {
      inst.push(timeMs(w.step, steps));
    } finally {
      handle.uninstall();
    }
  }
  return { plain: median(plain), instrumented: median(inst) };
}

interface Row { workload: string; backend: string; plainMs: number; debugMs: number; ratio: number; probeForwards: number; budget: number }

async function main() {
  await wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await setBackend('wasm');
  registerWasmGradientKernels(core, { fastConv2DBackpropInput: true });
  const rows: Row[] = [];
  for (const workload of WORKLOADS) {
    if (only && !workload.name.toLowerCase().includes(only.toLowerCase())) continue;
    await setBackend(workload.backend);
    const w = workload.build();
    for (let i = 0; i < 3; i++) w.step(); // warm-up
    // (a) default sampling in steady state: cheap taps every call, a probe on every 10th.
    const a = interleaved(w, workload.steps, { probeAllFirst: 0, probeEvery: 10 });
    // (b) one probed call against one unprobed call, in plain forward passes.
    const probed = interleaved(w, 3, { probeAllFirst: 1_000_000, probeEvery: 1 }, 3).instrumented;
    const cheap = interleaved(w, 3, { probeAllFirst: 0, probeEvery: 0 }, 3).instrumented;
    const forward = median([0, 1, 2].map(() => timeMs(w.forward, 3)));
    const row: Row = {
      workload: workload.name, backend: workload.backend, plainMs: a.plain, debugMs: a.instrumented,
      ratio: a.instrumented / a.plain, probeForwards: (probed - cheap) / forward, budget: 2 + w.trainingLayers,
    };
    rows.push(row);
    console.log(`${row.workload} [${row.backend}]: ${row.plainMs.toFixed(1)} ms → ${row.debugMs.toFixed(1)} ms per step, ratio ${row.ratio.toFixed(3)}; ` +
      `probed call +${row.probeForwards.toFixed(2)} forward passes (budget ${row.budget})`);
    w.dispose();
  }
  writeReport(rows);
}

function writeReport(rows: Row[]) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Performance',
    '',
    `Measured by \`npm run bench\` (bench/overhead.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} cores, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, tfjs ${tf.version.tfjs}.`,
    `Plain and instrumented steps alternate in one process (A B A B …); each figure is the median of ${ROUNDS} rounds.`,
    '',
    '## Instrumentation overhead per training step',
    '',
    'Default level in steady state: mode, BatchNorm statistics, lossDuring and the NaN check on every gradient call,',
    'read back with one sync per call; the probes (loss before, after, after the step, attribution) on every 10th call.',
    'A probed call\'s extra cost is given in plain forward passes; the budget is 2 plus one per training-mode layer attributed.',
    '',
    '| workload | backend | plain ms/step | debugger ms/step | ratio | probed call (forward passes) | budget |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.workload} | ${r.backend} | ${r.plainMs.toFixed(1)} | ${r.debugMs.toFixed(1)} | ${r.ratio.toFixed(3)} | ${r.probeForwards.toFixed(2)} | ${r.budget} |`),
    '',
  ];
  writeFileSync(path.join(__dirname, '..', 'docs', 'PERFORMANCE.md'), lines.join('\n'));
  console.log('wrote docs/PERFORMANCE.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
