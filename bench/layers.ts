// Part (g) of npm run bench: one training step per layer of the kernel audit (test/helpers/layerCatalog.ts,
// every name tf.layers exposes) on the bundled wasm backend, with the debugger's kernels, against the stock
// cpu backend; and which kernels run on the cpu fallback.
//   node --import tsx bench/layers.ts [--quick] [--cases label,label]   (--cases: those cases only, printed)
// Each case runs at batch 32 (its other dimensions as in the audit: small layers, so the step is dominated
// by per-op cost, where wasm has the most to lose against cpu). A step is tf.variableGrads of the audit's
// loss over every weight and float input with the loss read back, and again with every value read back as
// the audit reads them. Each backend runs in a process of its own (bench/layerSteps.ts); their blocks of
// steps alternate, and a case's ratio is the median of the paired blocks' ratios.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { kernelsMissingOn } from '../src/engine/backend/cpuFallbackKernels.ts';
import { setUpWasmKernels } from '../src/engine/backend/wasmKernels.ts';
import { BATCH, layerCases, type BlockReply, type BlockRequest } from './layerSteps.ts';
import { median, runAlone, type BenchSection } from './section.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');

/** A backend's process: `ask` times one block of steps there. */
async function stepper(backend: 'wasm' | 'cpu'): Promise<{ ask(r: BlockRequest): Promise<BlockReply>; child: ChildProcess }> {
  const child = fork(path.join(__dirname, 'layerSteps.ts'), [backend], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise<unknown>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench/layerSteps.ts ${backend} exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m);
    });
  });
  await next(); // 'ready'
  return { child, ask: (r) => { const reply = next(); child.send(r); return reply as Promise<BlockReply>; } };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchSection> {
  load('@tensorflow/tfjs-backend-wasm');
  const lacked = kernelsMissingOn(tf, 'wasm');
  const setup = setUpWasmKernels(tf);
  const rounds = quick ? 3 : 12;
  const steppers = { wasm: await stepper('wasm'), cpu: await stepper('cpu') };
  /** Per case and kind: wasm's and cpu's median ms, and the median ratio of paired blocks. */
  const measure = async (label: string, kind: BlockRequest['kind']) => {
    const wasm: number[] = [];
    const cpu: number[] = [];
    let reply: BlockReply | undefined;
    for (let r = 0; r < rounds; r++) {
      reply = await steppers.wasm.ask({ label, kind, steps: 3, ms: 30 });
      wasm.push(reply.medianMs);
      cpu.push((await steppers.cpu.ask({ label, kind, steps: 3, ms: 30 })).medianMs);
    }
    return { wasm: median(wasm), cpu: median(cpu), ratio: median(cpu.map((c, i) => c / wasm[i])), reply: reply! };
  };
  const rows: string[] = [];
  const slower: string[] = [];
  const slowerReadingAll: string[] = [];
  let ratios: number[] = [];
  try {
    const only = process.argv.includes('--cases') ? process.argv[process.argv.indexOf('--cases') + 1].split(',') : null;
    for (const label of layerCases(tf).keys()) {
      if (only && !only.includes(label)) continue;
      const loss = await measure(label, 'lossOnly');
      const all = await measure(label, 'everyValue');
      ratios.push(loss.ratio);
      if (loss.ratio < 1) slower.push(`${label} (${loss.ratio.toFixed(2)}×)`);
      if (all.ratio < 1) slowerReadingAll.push(`${label} (${all.ratio.toFixed(2)}×)`);
      const { forwardOnly, fallbacks } = all.reply;
      rows.push(`| ${label} | ${forwardOnly ? 'forward' : 'train'} | ${loss.wasm.toFixed(3)} | ${loss.cpu.toFixed(3)} | ${loss.ratio.toFixed(2)} | ${all.ratio.toFixed(2)} | ${fallbacks.join(', ') || '—'} |`);
    }
  } finally {
    for (const s of Object.values(steppers)) s.child.kill();
  }
  ratios = ratios.sort((a, b) => a - b);
  const medianRatio = median(ratios);
  const markdown = [
    `One step per case of the kernel audit (test/unit/layer-kernel-audit.test.ts: every name tf.layers exposes, ${rows.length} cases), ` +
      `batch ${BATCH}: tf.variableGrads of a weighted sum of the outputs over every weight and float input, the loss read back, ` +
      'as a training loop reads it ("forward": tfjs 4.22 defines no gradient for the layer, the training-mode forward pass is ' +
      'timed and its sum read). Each backend runs in a process of its own with the backend set once, as a training loop ' +
      `runs; after a warm-up, blocks of steps (30 ms or 3 steps) alternate between the two, ${rounds} each; the ms are ` +
      'the median of the blocks\' median steps, "× cpu" the median of the paired blocks\' ratios. ' +
      'The column "every value ' +
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
    `Median speed-up over stock cpu: ${medianRatio.toFixed(1)}×, lowest ${ratios[0].toFixed(2)}×. ` +
      (slower.length ? `Slower on wasm than on cpu: ${slower.join(', ')}.` : 'No case is slower on wasm than on stock cpu.') +
      ` Reading every value back: ${slowerReadingAll.length ? `slower on wasm: ${slowerReadingAll.join(', ')}.` : 'no case is slower on wasm.'}`,
  ].join('\n');
  return {
    title: 'Layers: one training step per layer on wasm and on cpu',
    markdown,
    summary: `${rows.length} layer cases, median ${medianRatio.toFixed(1)}× stock cpu, lowest ${ratios[0].toFixed(2)}×; ${slower.length} slower than cpu (${slowerReadingAll.length} reading every value back)`,
  };
}

if (require.main === module) runAlone(run);
