// Part (g) of npm run bench: one training step per layer of the kernel audit (test/helpers/layerCatalog.ts,
// every name tf.layers exposes) on the bundled wasm backend, with the debugger's kernels, against the stock
// cpu backend; and which kernels run on the cpu fallback.
//   node --import tsx bench/layers.ts [--quick]
// Each case runs at batch 32 (its other dimensions as in the audit: small layers, so the step is dominated
// by per-op cost, where wasm has the most to lose against cpu). A step is tf.variableGrads of the audit's
// loss over every weight and float input with the loss read back, and again with every value read back as
// the audit reads them; wasm and cpu steps alternate, medians.
import { createRequire } from 'node:module';
import path from 'node:path';
import { kernelsMissingOn } from '../src/engine/backend/cpuFallbackKernels.ts';
import { setUpWasmKernels } from '../src/engine/backend/wasmKernels.ts';
import { layerCatalog, type LayerCase } from '../test/helpers/layerCatalog.ts';
import { layerTrainer } from '../test/helpers/layerStep.ts';
import { runAlone, type BenchSection } from './section.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');
const BATCH = 32;

/**
 * Median ms of a step on wasm and on cpu. The two alternate step by step (A B A B …, after a warm-up of
 * each), so that load from elsewhere on the machine falls on both alike; at least `min` pairs and about
 * 600 ms of steps in all, at most 80 pairs.
 */
async function stepMs(layerCase: LayerCase, forwardOnly: boolean, min: number, lossOnly: boolean): Promise<{ wasm: number; cpu: number }> {
  const trainers = { wasm: await layerTrainer(tf, 'wasm', layerCase, forwardOnly), cpu: await layerTrainer(tf, 'cpu', layerCase, forwardOnly) };
  const times = { wasm: [] as number[], cpu: [] as number[] };
  try {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      trainers[backend].step();
    }
    const step = (backend: 'wasm' | 'cpu') => (lossOnly ? trainers[backend].lossOnlyStep() : trainers[backend].step());
    for (let spent = 0, pairs = 0; pairs < min || (spent < 600 && pairs < 80); pairs++) {
      for (const backend of ['wasm', 'cpu'] as const) {
        await tf.setBackend(backend);
        const t0 = performance.now();
        step(backend);
        const ms = performance.now() - t0;
        times[backend].push(ms);
        spent += ms;
      }
    }
  } finally {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      trainers[backend].dispose();
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wasm: median(times.wasm), cpu: median(times.cpu) };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchSection> {
  const wasm = load('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  const lacked = kernelsMissingOn(tf, 'wasm');
  const used = new Set<string>();
  const setup = setUpWasmKernels(tf, (kernel) => used.add(kernel));
  const rows: string[] = [];
  const slower: string[] = [];
  const slowerReadingAll: string[] = [];
  let ratios: number[] = [];
  for (const [name, entry] of Object.entries(layerCatalog(tf))) {
    if (!Array.isArray(entry)) continue;
    for (const layerCase of entry) {
      const label = name + (layerCase.variant ? ` (${layerCase.variant})` : '');
      const scaled: LayerCase = { ...layerCase, inputs: layerCase.inputs.map((spec) => ({ ...spec, shape: [BATCH, ...spec.shape.slice(1)] })) };
      const forwardOnly = Boolean(layerCase.untrainable || layerCase.forwardOnly);
      used.clear();
      const { wasm: wasmMs, cpu: cpuMs } = await stepMs(scaled, forwardOnly, quick ? 3 : 15, true);
      const fallbacks = [...used].sort();
      const readingAll = await stepMs(scaled, forwardOnly, quick ? 3 : 15, false);
      const ratio = cpuMs / wasmMs;
      const ratioReadingAll = readingAll.cpu / readingAll.wasm;
      ratios.push(ratio);
      if (ratio < 1) slower.push(`${label} (${ratio.toFixed(2)}×)`);
      if (ratioReadingAll < 1) slowerReadingAll.push(`${label} (${ratioReadingAll.toFixed(2)}×)`);
      rows.push(`| ${label} | ${forwardOnly ? 'forward' : 'train'} | ${wasmMs.toFixed(2)} | ${cpuMs.toFixed(2)} | ${ratio.toFixed(1)} | ${ratioReadingAll.toFixed(2)} | ${fallbacks.join(', ') || '—'} |`);
    }
  }
  ratios = ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)];
  const markdown = [
    `One step per case of the kernel audit (test/unit/layer-kernel-audit.test.ts: every name tf.layers exposes, ${rows.length} cases), ` +
      `batch ${BATCH}: tf.variableGrads of a weighted sum of the outputs over every weight and float input, the loss read back, ` +
      'as a training loop reads it ("forward": tfjs 4.22 defines no gradient for the layer, the training-mode forward pass is ' +
      'timed and its sum read). wasm and cpu steps alternate after a warm-up of each; medians in ms. The column "every value ' +
      'read" times the same step reading back every gradient and every weight as well, as the audit does: wasm copies each ' +
      'one out of its heap into a new buffer, where cpu hands back its own array.',
    '',
    `tfjs-backend-wasm lacks ${lacked.length} of the cpu backend's kernels: ${lacked.join(', ')}. The debugger adds ` +
      `${setup.native.length} native wasm kernels or replacements (${setup.native.join(', ')}), runs tfjs's own cpu kernel on wasm ` +
      `data for ${setup.cpuFallbacks.join(', ')} (the last ${setup.cpuFallbacks.length - lacked.filter((k) => setup.cpuFallbacks.includes(k)).length} replace wasm kernels that compute wrong results), ` +
      `and leaves ${setup.missing.join(', ')} missing (complex64, which wasm cannot store).`,
    '',
    '| layer (case) | step | wasm ms | stock cpu ms | × cpu | × cpu, every value read | cpu fallback kernels that ran |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `Median speed-up over stock cpu: ${median.toFixed(1)}×, lowest ${ratios[0].toFixed(2)}×. ` +
      (slower.length ? `Slower on wasm than on cpu: ${slower.join(', ')}.` : 'No case is slower on wasm than on stock cpu.') +
      ` Reading every value back: ${slowerReadingAll.length ? `slower on wasm: ${slowerReadingAll.join(', ')}.` : 'no case is slower on wasm.'}`,
  ].join('\n');
  return {
    title: 'Layers: one training step per layer on wasm and on cpu',
    markdown,
    summary: `${rows.length} layer cases, median ${median.toFixed(1)}× stock cpu, lowest ${ratios[0].toFixed(2)}×; ${slower.length} slower than cpu (${slowerReadingAll.length} reading every value back)`,
  };
}

if (require.main === module) runAlone(run);
