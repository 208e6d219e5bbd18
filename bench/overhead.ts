// Parts (a) and (b) of npm run bench: instrumentation overhead and probe cost, measured in one process,
// interleaved (A B A B …), medians over rounds.
//
//   (a) overhead per training step, cheap taps on every call and probes every 10th (the default past the
//       first 50 calls), against no debugger;
//   (b) the extra cost of one probed call (before, after, attribution), in plain forward passes.
//
//   node --import tsx bench/overhead.ts [--quick] [--only NAME]
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { attributionSampler } from '../src/engine/probes/attribution.ts';
import { instrument } from '../src/engine/instrument.ts';
import type { InstrumentOptions } from '../src/engine/taps/tapContext.ts';
import { DEFAULT_PROBE_BUDGET } from '../src/protocol/runOptions.ts';
import { ProbeSchedule } from '../src/engine/probes/probeSchedule.ts';
import { setUpWasmKernels } from '../src/engine/backend/wasmKernels.ts';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol/runOptions.ts';
import { median, runAlone, type BenchSection } from './section.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');
const wasm = load('@tensorflow/tfjs-backend-wasm');

const ROUNDS = 7;

interface Workload {
  name: string;
  backend: 'cpu' | 'wasm';
  steps: number;
  build: () => Built;
}

interface Built {
  /** One training step: a gradient call and the optimizer's update. */
  step: () => void;
  /** The gradient call alone. */
  gradientCall: () => void;
  /** A plain inference forward pass. */
  forward: () => void;
  dispose: () => void;
  trainingLayers: number;
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function timeMs(fn: () => void, n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t) / n;
}

/** A custom training step: variableGrads + optimizer step, disposing what it gets back. */
function trainer(model: any, x: any, y: any, loss: (y: any, p: any) => any) {
  const opt = tf.train.sgd(0.01);
  const call = (apply: boolean) => {
    const { value, grads } = tf.variableGrads(() => loss(y, model.apply(x, { training: true })));
    if (apply) opt.applyGradients(grads);
    tf.dispose([value, grads]);
  };
  return {
    step: () => call(true),
    gradientCall: () => call(false),
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
function interleaved(step: () => void, steps: number, options: Partial<InstrumentOptions>, rounds = ROUNDS, summary = median): { plain: number; instrumented: number } {
  const plain: number[] = [];
  const inst: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(timeMs(step, steps));
    const handle = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...options, emit: () => undefined });
    try {
      inst.push(timeMs(step, steps));
    } finally {
      handle.uninstall();
    }
  }
  return { plain: summary(plain), instrumented: summary(inst) };
}

interface Row {
  workload: string; backend: string; plainMs: number; debugMs: number; ratio: number;
  probeForwards: number; afterStepForwards: number; budget: number; forwardMs: number;
  /** Extra ms of an unprobed step with each read-back strategy (src/engine/readback/readback.ts). */
  immediateMs: number; batchedMs: number;
  /** Share of the training time the probes took in (a). */
  probeShare: number;
}

export async function run({ quick, only }: { quick: boolean; only?: string | null }): Promise<BenchSection> {
  const rounds = quick ? 3 : ROUNDS;
  await wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await setBackend('wasm');
  setUpWasmKernels(core); // as the runner sets up the bundled backend (src/engine/backend/backend.ts)
  const rows: Row[] = [];
  for (const workload of WORKLOADS) {
    if (only && !workload.name.toLowerCase().includes(only.toLowerCase())) continue;
    await setBackend(workload.backend);
    const w = workload.build();
    for (let i = 0; i < 3; i++) w.step(); // warm-up
    // (a) default sampling in steady state: cheap taps every call, a probe on every 10th (or further apart,
    // within the probe budget), and attribution on every 10th probed call with a gap. One sampler and one
    // schedule span the rounds, the sampler past its first five and the schedule calibrated by a probed
    // call first. Probes may fall in some rounds and not others, so the figures are means over all rounds.
    const sampleAttribution = attributionSampler();
    for (let i = 0; i < 5; i++) sampleAttribution();
    const defaults = { probeAllFirst: 0, probeEvery: 10 };
    const schedule = new ProbeSchedule(defaults, () => performance.now());
    const calibrate = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...defaults, schedule, sampleAttribution, emit: () => undefined });
    for (let i = 0; i < 11; i++) w.step();
    calibrate.uninstall();
    const a = interleaved(w.step, workload.steps, { ...defaults, sampleAttribution, schedule }, rounds, mean);
    // (b) what a probed call's probes cost, timed inside the debugger (the time the probe schedule counts),
    // in plain forward passes: first gradient calls alone (loss before, after and attribution), then full
    // steps, whose difference is the pass after the optimizer step.
    const ALL = { probeAllFirst: 1_000_000, probeEvery: 1, attribution: 'always' as const };
    const probeMs = (step: () => void) => {
      const probes = new ProbeSchedule(ALL, () => performance.now());
      const handle = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, ...ALL, schedule: probes, emit: () => undefined });
      try {
        for (let i = 0; i < 6; i++) step();
      } finally {
        handle.uninstall();
      }
      return median([...probes.recentProbeMs]);
    };
    const probedGrad = probeMs(w.gradientCall);
    const probedStep = probeMs(w.step);
    const NONE = { probeAllFirst: 0, probeEvery: 0 };
    const forward = median([0, 1, 2].map(() => timeMs(w.forward, 3)));
    // The read-back strategies on unprobed steps, to show the default is the cheaper one on this backend.
    const cheapWith = (readStrategy: 'immediate' | 'batched') => {
      const r = interleaved(w.step, 3, { ...NONE, readStrategy }, 3);
      return r.instrumented - r.plain;
    };
    const immediateMs = cheapWith('immediate');
    const batchedMs = cheapWith('batched');
    const row: Row = {
      workload: workload.name, backend: workload.backend, plainMs: a.plain, debugMs: a.instrumented,
      ratio: a.instrumented / a.plain, probeForwards: probedGrad / forward, afterStepForwards: (probedStep - probedGrad) / forward,
      budget: 2 + w.trainingLayers, forwardMs: forward, immediateMs, batchedMs, probeShare: schedule.probeShare,
    };
    rows.push(row);
    console.log(`${row.workload} [${row.backend}]: ${row.plainMs.toFixed(1)} ms → ${row.debugMs.toFixed(1)} ms per step, ratio ${row.ratio.toFixed(3)}; ` +
      `probed call +${row.probeForwards.toFixed(2)} forward passes (budget ${row.budget}), after-step pass +${row.afterStepForwards.toFixed(2)}`);
    w.dispose();
  }
  const verdict = (r: Row) => {
    const target = r.workload.startsWith('deep') ? 1.15 : r.workload.startsWith('shared') ? null : 1.05;
    return target == null ? 'no target' : r.ratio <= target ? `≤ ${target}: met` : `≤ ${target}: not met`;
  };
  const markdown = [
    'Default level in steady state: mode, BatchNorm statistics, lossDuring and the NaN/Inf count on every gradient call; the',
    'probes (loss before, after, after the optimizer step) on every 10th call, spaced further apart so that probes take',
    `at most ${DEFAULT_PROBE_BUDGET * 100}% of the training time (src/engine/probes/probeSchedule.ts), and attribution`,
    'on every 10th probed call with a gap (a long run\'s steady state: one sampler and one schedule span the rounds, the',
    'schedule calibrated first; the step times are means over the rounds, as probes fall in some and not others). On cpu and wasm the statistics are',
    'read from host memory and reduced in JavaScript, so an unprobed call runs no kernel of the debugger\'s own.',
    `Plain and instrumented steps alternate (A B A B …), ${rounds} rounds. A probed call's cost is the time the debugger spends in its probes (as the schedule counts it), median of 5 probed calls.`,
    'A probed call\'s extra cost is in plain forward passes of the model; the budget is 2 plus one per training-mode',
    'layer attributed, for the loss before, the loss after and the attribution. The pass for the loss after the optimizer',
    'step comes on top and has its own column.',
    '',
    '| workload | backend | plain ms/step | debugger ms/step | ratio | target | probe share | forward ms | probed call (forward passes) | budget | after-step pass |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.workload} | ${r.backend} | ${r.plainMs.toFixed(1)} | ${r.debugMs.toFixed(1)} | ${r.ratio.toFixed(3)} | ${verdict(r)} | ` +
      `${(r.probeShare * 100).toFixed(1)}% | ${r.forwardMs.toFixed(1)} | ${r.probeForwards.toFixed(2)} | ${r.budget} | ${r.afterStepForwards.toFixed(2)} |`),
    '',
    '### Read-back strategy',
    '',
    'Extra time of an unprobed step with each way of getting the statistics out (medians of 3 rounds of 3 steps).',
    '*Immediate* reads each layer\'s output from host memory and reduces it in JavaScript; *batched* reduces on the backend',
    'and reads everything with one sync at the end of the call, which is what a GPU backend needs. The runner picks',
    'immediate on cpu, wasm and tfjs-node, batched elsewhere. Differences of a millisecond or two are within this machine\'s',
    'noise (hence the negative values on the small models); the CNN and the deep model show the gap.',
    '',
    '| workload | backend | immediate ms | batched ms |',
    '| --- | --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.workload} | ${r.backend} | ${r.immediateMs.toFixed(2)} | ${r.batchedMs.toFixed(2)} |`),
  ].join('\n');
  return {
    title: 'Instrumentation overhead per training step',
    markdown,
    summary: rows.map((r) => `${r.workload.split(' ')[0]} ${r.ratio.toFixed(3)}`).join(', '),
  };
}

if (require.main === module) {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  runAlone((opts) => run({ ...opts, only }));
}
