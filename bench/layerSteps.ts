// The child process of bench/layers.ts: runs the kernel audit's cases on ONE backend, set once, as a
// training loop runs, and times blocks of steps when the parent asks. (tfjs re-runs every kernel's
// setupFunc on each tf.setBackend, tfjs-core/src/engine.ts setupRegisteredKernels, and wasm's setupFuncs
// wrap their C++ functions anew each time: switching backends between steps slowed both, wasm more, which
// is no user's loop.) The parent keeps one child per backend and alternates their blocks, so that the
// machine's load falls on both alike.
import { createRequire } from 'node:module';
import path from 'node:path';
import { setUpWasmKernels } from '../src/engine/backend/wasmKernels.ts';
import { layerCatalog, type LayerCase } from '../test/helpers/layerCatalog.ts';
import { layerTrainer, type LayerTrainer } from '../test/helpers/layerStep.ts';
import { median } from './section.ts';

const load = createRequire(__filename);
export const BATCH = 32;

/** Parent → child: time a block of one case's steps. */
export interface BlockRequest {
  label: string;
  /** 'lossOnly': the loss read back, as a training loop; 'everyValue': every gradient and weight too. */
  kind: 'lossOnly' | 'everyValue';
  /** At least this many steps and `ms` of them. */
  steps: number;
  ms: number;
}

/** Child → parent: the block's median step (ms) and the cpu fallback kernels the case ran so far. */
export interface BlockReply {
  medianMs: number;
  forwardOnly: boolean;
  fallbacks: string[];
}

/** Every case of the audit at batch 32, by label ("conv2dTranspose (strides 2, same)"). */
export function layerCases(tf: typeof import('@tensorflow/tfjs')): Map<string, { layerCase: LayerCase; forwardOnly: boolean }> {
  const cases = new Map<string, { layerCase: LayerCase; forwardOnly: boolean }>();
  for (const [name, entry] of Object.entries(layerCatalog(tf))) {
    if (!Array.isArray(entry)) continue;
    for (const c of entry) {
      const layerCase: LayerCase = { ...c, inputs: c.inputs.map((spec) => ({ ...spec, shape: [BATCH, ...spec.shape.slice(1)] })) };
      cases.set(name + (c.variant ? ` (${c.variant})` : ''), { layerCase, forwardOnly: Boolean(c.untrainable || c.forwardOnly) });
    }
  }
  return cases;
}

function block(step: () => unknown, steps: number, ms: number): number {
  const times: number[] = [];
  for (let spent = 0; times.length < steps || spent < ms;) {
    const t0 = performance.now();
    step();
    const dt = performance.now() - t0;
    times.push(dt);
    spent += dt;
  }
  return median(times);
}

async function main(): Promise<void> {
  const backend = process.argv[2];
  const tf = load('@tensorflow/tfjs');
  const used = new Set<string>();
  if (backend === 'wasm') {
    const wasm = load('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
    setUpWasmKernels(tf, (kernel) => used.add(kernel));
  }
  const cases = layerCases(tf);
  let current: { label: string; trainer: LayerTrainer } | null = null;
  process.on('message', async (request: BlockRequest) => {
    const { layerCase, forwardOnly } = cases.get(request.label)!;
    if (current?.label !== request.label) {
      current?.trainer.dispose();
      current = { label: request.label, trainer: await layerTrainer(tf, backend, layerCase, forwardOnly) };
      used.clear();
      block(() => current!.trainer.lossOnlyStep(), 10, 150); // warm-up: V8 optimises the case's code paths
      block(() => current!.trainer.step(), 3, 50);
    }
    const { trainer } = current;
    const medianMs = block(() => (request.kind === 'lossOnly' ? trainer.lossOnlyStep() : trainer.step()), request.steps, request.ms);
    process.send!({ medianMs, forwardOnly, fallbacks: [...used].sort() } satisfies BlockReply);
  });
  process.send!('ready');
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
