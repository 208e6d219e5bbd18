// The kernel audit: every layer the public tf.layers API exposes trains on the bundled wasm backend (with
// the debugger's kernels, src/engine/backend/wasmKernels.ts) and gives the cpu backend's loss, gradients and
// updated weights within 1e-4 relative. The cases come from test/helpers/layerCatalog.ts, one or more per
// name in the tf.layers namespace; a name without one, or a registered layer class no case builds, fails
// here, and so does a tfjs upgrade that adds or drops a kernel on either backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { COMPLEX_KERNELS, kernelsMissingOn } from '../../src/engine/backend/cpuFallbackKernels.ts';
import { setUpWasmKernels } from '../../src/engine/backend/wasmKernels.ts';
import { layerCatalog, type Layer, type LayerCase } from '../helpers/layerCatalog.ts';
import { layerStep, relativeError, type StepResult } from '../helpers/layerStep.ts';

const TOLERANCE = 1e-4;

/** What tfjs-backend-wasm 4.22 lacks against tfjs-backend-cpu 4.22, read from the kernel registry. */
const WASM_LACKS = [
  'Complex', 'ComplexAbs', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
  'Draw', 'Einsum', 'FFT', 'IFFT', 'Imag', 'RaggedGather', 'RaggedRange', 'RaggedTensorToTensor', 'Real', 'StaticRegexReplace',
  'UnsortedSegmentSum',
];
/** What wasm has and cpu lacks. */
const CPU_LACKS = ['LogicalXor'];

const catalog = layerCatalog(tf);
const fallbacksUsed = new Set<string>();
const rows: string[] = [];
let missingBefore: string[] = [];

before(async () => {
  const wasmDist = path.dirname(createRequire(path.resolve('package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(wasmDist + path.sep);
  missingBefore = kernelsMissingOn(tf, 'wasm');
  setUpWasmKernels(tf, (kernel) => fallbacksUsed.add(kernel));
  assert.ok(await tf.setBackend('wasm'));
});

after(() => {
  console.log(`[layer-kernel-audit] layer (case): worst relative difference wasm vs cpu; kernels that ran on the cpu fallback\n${rows.join('\n')}`);
});

test('the kernel registry: what wasm lacks against cpu, and what the debugger leaves missing', () => {
  assert.deepEqual(missingBefore, WASM_LACKS, 'tfjs-backend-wasm gained or lost kernels: update WASM_LACKS and check wasmKernels.ts');
  assert.deepEqual(kernelsMissingOn(tf, 'cpu', 'wasm'), CPU_LACKS);
  // After the debugger's setup, only the complex64 kernels remain (wasm cannot store complex64 tensors).
  assert.deepEqual(kernelsMissingOn(tf, 'wasm'), [...COMPLEX_KERNELS].sort());
  console.log(`[layer-kernel-audit] tfjs-backend-wasm lacks ${missingBefore.length} of cpu's kernels: ${missingBefore.join(', ')}`);
});

/** Class names of a layer and of every layer it wraps (models, wrappers, RNN cells). */
function classesOf(layer: Layer, into = new Set<string>()): Set<string> {
  into.add(layer.getClassName());
  const inner = layer as unknown as { layers?: Layer[]; layer?: Layer; cell?: Layer & { cells?: Layer[] }; forwardLayer?: Layer; backwardLayer?: Layer };
  for (const child of [...(inner.layers ?? []), inner.layer, inner.cell, ...(inner.cell?.cells ?? []), inner.forwardLayer, inner.backwardLayer]) {
    if (child) classesOf(child, into);
  }
  return into;
}

test('every name in tf.layers has a case, and every registered layer class is built by one', () => {
  const names = Object.keys(tf.layers).sort();
  assert.deepEqual(names.filter((n) => !(n in catalog)), [], 'tf.layers names without a case in test/helpers/layerCatalog.ts');
  assert.deepEqual(Object.keys(catalog).filter((n) => !names.includes(n)), [], 'cases for names tf.layers no longer has');
  const built = new Set<string>();
  for (const entry of Object.values(catalog)) {
    if (!Array.isArray(entry)) continue;
    for (const c of entry) {
      const layer = c.build(tf);
      classesOf(layer, built);
      if (layer.built) layer.dispose();
    }
  }
  const registered = Object.entries(tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [unknown, unknown]>)
    .filter(([, [cls]]) => typeof cls === 'function' && (cls === tf.layers.Layer || (cls as { prototype: unknown }).prototype instanceof tf.layers.Layer))
    .map(([name]) => name);
  // Functional is registered only to deserialize Keras models; it is the same class as Model.
  assert.deepEqual(registered.filter((name) => !built.has(name) && name !== 'Functional'), [], 'registered layer classes no case builds');
});

function compare(label: string, got: StepResult, want: StepResult): number {
  assert.deepEqual(got.arrays.map((a) => a.label), want.arrays.map((a) => a.label), `${label}: the same values on both backends`);
  let worst = 0;
  got.arrays.forEach((a, i) => {
    const err = relativeError(a.values, want.arrays[i].values);
    assert.ok(err <= TOLERANCE, `${label}, ${a.label}: relative difference ${err} (wasm ${a.values.slice(0, 4)}… cpu ${want.arrays[i].values.slice(0, 4)}…)`);
    worst = Math.max(worst, err);
  });
  return worst;
}

/** Buffers the cpu backend holds: a cpu fallback that ran on wasm data must free all of its own. */
const cpuDataIds = (): number => tf.engine().findBackend('cpu').numDataIds();

async function audit(label: string, layerCase: LayerCase): Promise<void> {
  let forwardOnly = Boolean(layerCase.forwardOnly);
  if (layerCase.untrainable) {
    for (const backend of ['wasm', 'cpu']) {
      await assert.rejects(layerStep(tf, backend, layerCase), layerCase.untrainable, `${label}: tfjs still cannot train it on ${backend}`);
    }
    forwardOnly = true;
  }
  fallbacksUsed.clear();
  const [tensors, cpuIds] = [tf.memory().numTensors, cpuDataIds()];
  const got = await layerStep(tf, 'wasm', layerCase, forwardOnly);
  const kept = tf.memory().numTensors - tensors;
  assert.equal(cpuDataIds(), cpuIds, `${label}: the cpu fallback freed its buffers`);
  const used = [...fallbacksUsed].sort();
  const cpuTensors = tf.memory().numTensors;
  const want = await layerStep(tf, 'cpu', layerCase, forwardOnly);
  // Layers may keep tensors of their own (an RNN keeps its last states): as many on both backends.
  assert.equal(kept, tf.memory().numTensors - cpuTensors, `${label}: as many tensors kept on wasm as on cpu`);
  const worst = compare(label, got, want);
  const mode = layerCase.untrainable ? 'forward only: no gradient in tfjs' : layerCase.forwardOnly ? 'forward only' : 'trained';
  rows.push(`  ${label.padEnd(34)} ${worst.toExponential(1).padStart(8)}  ${mode.padEnd(33)} ${used.join(', ') || '-'}`);
}

for (const [name, entry] of Object.entries(catalog)) {
  test(`tf.layers.${name}`, async () => {
    if (!Array.isArray(entry)) {
      // An alias: builds the same class as its target, which is audited under its own name.
      const target = catalog[entry.alias];
      assert.ok(Array.isArray(target), `${name} aliases ${entry.alias}, which has cases`);
      const factory = (tf.layers as unknown as Record<string, (args: object) => Layer>)[name];
      assert.equal(factory({ poolSize: 2 }).getClassName(), target[0].build(tf).getClassName());
      return;
    }
    for (const layerCase of entry) await audit(name + (layerCase.variant ? ` (${layerCase.variant})` : ''), layerCase);
  });
}
