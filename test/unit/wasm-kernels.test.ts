// The debugger's wasm kernels one by one (src/engine/backend/wasmKernels.ts), against the cpu backend or an
// independent reference: the cpu fallback bit for bit, the native kernels within rounding, the wasm and
// cpu kernels of tfjs 4.22 that are wrong shown wrong, and no kernel leaking backend memory.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setUpWasmKernels, WRONG_WASM_KERNELS } from '../../src/engine/backend/wasmKernels.ts';
import { MIN_POOLED_SIZE } from '../../src/engine/backend/wasmReductionKernels.ts';
import { relativeError, values } from '../helpers/layerStep.ts';

type Data = Array<[number[], Float32Array | Int32Array]>;
type Fn = (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

const stock = new Map<string, tf.KernelConfig>();
const used: string[] = [];

before(async () => {
  const wasmDist = path.dirname(createRequire(path.resolve('package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(wasmDist + path.sep);
  for (const name of ['MaxPoolGrad', 'Conv3DBackpropInputV2', 'Cast']) stock.set(name, { ...tf.getKernel(name, 'wasm') });
  assert.ok(await tf.setBackend('wasm'));
});

/** Runs `fn` on `backend` with fresh tensors; returns every output's values and shape. */
async function on(backend: string, data: Data, fn: Fn): Promise<Array<{ shape: number[]; values: Float32Array | Int32Array | Uint8Array }>> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = fn(...data.map(([shape, v]) => tf.tensor(v, shape, v instanceof Int32Array ? 'int32' : 'float32')));
    return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  });
}

async function compareWithCpu(label: string, data: Data, fn: Fn, tolerance: number): Promise<void> {
  const got = await on('wasm', data, fn);
  const want = await on('cpu', data, fn);
  got.forEach((g, i) => {
    assert.deepEqual(g.shape, want[i].shape, `${label} #${i}: shape`);
    const err = relativeError(g.values, want[i].values);
    assert.ok(err <= tolerance, `${label} #${i}: relative difference ${err}`);
  });
}

/** Runs `fn` on wasm with the stock kernel `name` put back for the duration. */
async function withStockKernel<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const ours = tf.getKernel(name, 'wasm');
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(stock.get(name)!);
  try {
    return await fn();
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(ours);
  }
}

test('setUpWasmKernels registers once: what it added, replaced and left missing', () => {
  const first = setUpWasmKernels(tf, (kernel) => used.push(kernel));
  assert.deepEqual(first.native, ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
    'Conv2DBackpropInput', 'UnsortedSegmentSum', 'MaxPoolGrad', 'Cast', 'Sum', 'Mean', 'Identity', 'Tile', 'BatchMatMul']);
  assert.deepEqual(first.cpuFallbacks, ['Draw', 'Einsum', 'RaggedGather', 'RaggedRange', 'RaggedTensorToTensor', 'StaticRegexReplace', ...WRONG_WASM_KERNELS]);
  assert.deepEqual(first.missing, ['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real']);
  assert.deepEqual(setUpWasmKernels(tf), { native: [], cpuFallbacks: [], missing: first.missing });
});

test('a cpu fallback gives the cpu kernel\'s result bit for bit, strings and several outputs included, and says so', async () => {
  used.length = 0;
  const a = values([3, 4, 5], 1);
  const b = values([5, 2], 2);
  const einsum = await on('wasm', [[[3, 4, 5], a], [[5, 2], b]], (x, y) => tf.einsum('ijk,kl->ijl', x, y));
  const einsumCpu = await on('cpu', [[[3, 4, 5], a], [[5, 2], b]], (x, y) => tf.einsum('ijk,kl->ijl', x, y));
  assert.deepEqual(einsum, einsumCpu);
  const ranges = async (backend: string) => {
    await tf.setBackend(backend);
    return tf.tidy(() => Object.values(tf.raggedRange(tf.tensor([0, 5, 8], [3], 'int32'), tf.tensor([3, 5, 12], [3], 'int32'), tf.tensor([1, 1, 2], [3], 'int32')))
      .map((t) => [t.dtype, Array.from(t.dataSync())]));
  };
  assert.deepEqual(await ranges('wasm'), await ranges('cpu'));
  const replace = async (backend: string) => {
    await tf.setBackend(backend);
    return tf.tidy(() => tf.string.staticRegexReplace(tf.tensor(['debugger', 'tfjs']), 'g+', 'G').arraySync());
  };
  assert.deepEqual(await replace('wasm'), ['debuGer', 'tfjs']);
  assert.deepEqual(await replace('cpu'), ['debuGer', 'tfjs']);
  assert.deepEqual([...new Set(used)].sort(), ['Einsum', 'RaggedRange', 'StaticRegexReplace']);
});

test('a cpu fallback leaves no buffer on either backend and keeps the cpu backend\'s one-time warning for the script', async () => {
  await tf.setBackend('wasm');
  const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse: boolean; numDataIds(): number };
  const wasm = tf.backend();
  const firstUse = cpu.firstUse;
  const before = [wasm.numDataIds(), cpu.numDataIds(), tf.memory().numTensors];
  const x = tf.tensor(values([4, 6], 3), [4, 6]);
  const out = tf.einsum('ij->ji', x);
  tf.dispose([x, out]);
  assert.deepEqual([wasm.numDataIds(), cpu.numDataIds(), tf.memory().numTensors], before);
  assert.equal(cpu.firstUse, firstUse);
});

test('MaxPoolGrad: wasm 4.22 sends an all-negative window\'s gradient to the wrong element; ours matches cpu exactly', async () => {
  // Window values all negative: the maximum is -0.1 at index 1, not index 0.
  const x = new Float32Array([-0.5, -0.1, -0.9, -0.3]);
  const grad = (t: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').mul(7).sum())(t);
  const [stockDx] = await withStockKernel('MaxPoolGrad', () => on('wasm', [[[1, 2, 2, 1], x]], grad));
  assert.deepEqual(Array.from(stockDx.values), [7, 0, 0, 0], 'the stock wasm kernel');
  const [dx] = await on('wasm', [[[1, 2, 2, 1], x]], grad);
  assert.deepEqual(Array.from(dx.values), [0, 7, 0, 0]);
  // Ties (the first maximum wins), overlapping windows, 'same' padding, several channels, negative values.
  const tied = new Float32Array([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
  for (const [shape, data, filter, stride, pad] of [
    [[2, 9, 7, 3], values([2, 9, 7, 3], 4), 3, 2, 'same'],
    [[1, 6, 6, 5], values([1, 6, 6, 5], 5), 3, 1, 'valid'],
    [[2, 8, 8, 4], values([2, 8, 8, 4], 6).map((v) => -Math.abs(v)), 2, 2, 'valid'],
    [[1, 4, 4, 1], tied, 2, 2, 'valid'],
    [[1, 4, 4, 1], tied, 3, 1, 'same'],
  ] as Array<[number[], Float32Array, number, number, 'same' | 'valid']>) {
    const outShape = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], filter, stride, 1, pad).outShape;
    const dy = values(outShape, 7);
    const f = (t: tf.Tensor, d: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, filter, stride, pad).mul(d).sum())(t);
    const [got] = await on('wasm', [[shape, data], [outShape, dy]], f);
    const [want] = await on('cpu', [[shape, data], [outShape, dy]], f);
    assert.deepEqual(got.values, want.values, `maxPool ${shape} ${filter}/${stride} ${pad}`);
  }
});

test('Conv3DBackpropInputV2: wasm 4.22 computes a wrong input gradient; the cpu kernel now serves it', async () => {
  // d/dx of conv3d(x [1,4,1,1,1], all-ones filter of depth 2) weighted by dy = [1, 2, 3] is [1, 3, 5, 3].
  const f = (x: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.conv3d(a as tf.Tensor5D, tf.ones([2, 1, 1, 1, 1]) as tf.Tensor5D, 1, 'valid')
    .mul(tf.tensor([1, 2, 3], [1, 3, 1, 1, 1])).sum())(x);
  const data: Data = [[[1, 4, 1, 1, 1], new Float32Array(4)]];
  const [stockDx] = await withStockKernel('Conv3DBackpropInputV2', () => on('wasm', data, f));
  assert.deepEqual(Array.from(stockDx.values), [1, 3, 2, 0], 'the stock wasm kernel');
  assert.deepEqual(Array.from((await on('wasm', data, f))[0].values), [1, 3, 5, 3]);
});

/** J^T·c of a linear op on cpu, one unit input at a time: a reference that uses no gradient kernel. */
async function transposedProduct(shape: number[], c: Float32Array, op: (x: tf.Tensor) => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const e = new Float32Array(n);
    e[i] = 1;
    const y = tf.tidy(() => op(tf.tensor(e, shape)).dataSync());
    out[i] = Array.from(y).reduce((s, v, j) => s + v * c[j], 0);
  }
  return out;
}

test('resize gradients: cpu 4.22 is wrong where wasm is right (nearest with a batch over 1, bilinear on non-square images)', async () => {
  const shape = [2, 2, 3, 1];
  const nearest = (x: tf.Tensor) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [4, 6]);
  const c = values([2, 4, 6, 1], 8);
  const grad = (x: tf.Tensor, dy: tf.Tensor) => tf.grad((a: tf.Tensor) => nearest(a).mul(dy).sum())(x);
  const data: Data = [[shape, values(shape, 9)], [[2, 4, 6, 1], c]];
  const reference = await transposedProduct(shape, c, nearest);
  assert.ok(relativeError((await on('wasm', data, grad))[0].values, reference) < 1e-6, 'wasm matches the reference');
  assert.ok(relativeError((await on('cpu', data, grad))[0].values, reference) > 0.1, 'cpu does not (batch entry 2 reads dy of entry 1)');
  const bilinear = (x: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.image.resizeBilinear(a as tf.Tensor4D, [4, 3]).sum())(x);
  const [wasmGrad] = await on('wasm', [[[1, 4, 6, 1], values([1, 4, 6, 1], 10)]], bilinear);
  assert.deepEqual(wasmGrad.shape, [1, 4, 6, 1]);
  await assert.rejects(on('cpu', [[[1, 4, 6, 1], values([1, 4, 6, 1], 10)]], bilinear), /has shape '1,6,4,1'/);
});

test('Cast to bool: wasm 4.22 wraps values to a byte; ours is x != 0, as cpu', async () => {
  const data: Data = [[[5], new Float32Array([0.5, -0.2, 0, 256, NaN])], [[3], new Int32Array([0, 2, -3])]];
  const casts = (f: tf.Tensor, i: tf.Tensor) => [tf.cast(f, 'bool'), tf.cast(i, 'bool')];
  const [stockF, stockI] = await withStockKernel('Cast', () => on('wasm', data, casts));
  assert.deepEqual([Array.from(stockF.values), Array.from(stockI.values)], [[0, 0, 0, 0, 0], [0, 2, 253]], 'the stock wasm kernel');
  const got = await on('wasm', data, casts);
  assert.deepEqual(got.map((g) => Array.from(g.values)), [[1, 1, 0, 1, 1], [0, 1, 1]]);
  assert.deepEqual(got, await on('cpu', data, casts));
});

test('Tile copies exactly, every rank and dtype', async () => {
  for (const [shape, reps] of [[[3], [4]], [[1, 1, 1, 5], [2, 3, 4, 1]], [[2, 3], [3, 2]], [[2, 1, 3], [1, 4, 2]], [[2, 2, 2, 2, 2], [1, 2, 1, 3, 1]]]) {
    const floats = values(shape, 11);
    const ints = Int32Array.from(floats, (v) => Math.round(v * 100));
    for (const data of [floats, ints]) {
      const got = await on('wasm', [[shape, data]], (x) => [tf.tile(x, reps), tf.tile(tf.cast(x, 'bool'), reps)]);
      const want = await on('cpu', [[shape, data]], (x) => [tf.tile(x, reps), tf.tile(tf.cast(x, 'bool'), reps)]);
      assert.deepEqual(got, want, `tile ${shape} by ${reps}`);
    }
  }
});

test('Sum and Mean over leading, middle and trailing axes match cpu within rounding', async () => {
  const shape = [4, 32, 16, 7]; // over MIN_POOLED_SIZE elements: the pooled form
  assert.ok(shape.reduce((a, b) => a * b) >= MIN_POOLED_SIZE);
  const data: Data = [[shape, values(shape, 12)]];
  for (const axes of [[0], [0, 1, 2], [1, 2], [1], [3], [2, 3], [0, 2], [0, 1, 2, 3]]) {
    for (const keepDims of [false, true]) {
      await compareWithCpu(`sum/mean ${axes} keepDims ${keepDims}`, data, (x) => [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)], 1e-5);
    }
  }
  await compareWithCpu('sum of ints', [[[6, 4], Int32Array.from({ length: 24 }, (_, i) => i - 7)]], (x) => tf.sum(x, 0), 0);
});

test('BatchMatMul with transposed operands matches cpu', async () => {
  // Over MIN_XNNPACK_MACS (the XNNPACK form) and under it (wasm's loop), batched (wasm's loop).
  for (const [as, bs, ta, tb] of [[[7, 5], [7, 3], true, false], [[40, 70], [30, 70], false, true], [[70, 40], [30, 70], true, true],
    [[1, 128, 33], [1, 128, 17], true, false], [[2, 4, 5], [2, 4, 3], true, false]] as Array<[number[], number[], boolean, boolean]>) {
    await compareWithCpu(`matMul ${as} ${bs} ${ta} ${tb}`, [[as, values(as, 13)], [bs, values(bs, 14)]], (a, b) => tf.matMul(a, b, ta, tb), 1e-6);
  }
});

test('UnsortedSegmentSum: the Embedding gradient, equal to cpu; ids out of range dropped', async () => {
  const ids = Int32Array.from([3, 0, 3, 9, 1, -1, 3, 12, 0]);
  const x = values([9, 4], 15);
  const got = await on('wasm', [[[9, 4], x], [[9], ids]], (v, s) => tf.unsortedSegmentSum(v, s as tf.Tensor1D, 10));
  const want = await on('cpu', [[[9, 4], x], [[9], ids]], (v, s) => tf.unsortedSegmentSum(v, s as tf.Tensor1D, 10));
  assert.deepEqual(got, want);
  await compareWithCpu('embedding gradient', [[[50, 8], values([50, 8], 16)], [[6, 7], Int32Array.from({ length: 42 }, (_, i) => (i * 7) % 50)]],
    (table, idx) => tf.grad((t: tf.Tensor) => tf.gather(t, idx).square().sum())(table), 0);
});

test('the native kernels leave no backend memory behind', async () => {
  await tf.setBackend('wasm');
  const wasm = tf.backend();
  const x = tf.tensor(values([2, 32, 32, 8], 17), [2, 32, 32, 8]); // large enough for every native path
  const ids = tf.tensor([0, 2, 2], [3], 'int32');
  const before = wasm.numDataIds();
  const calls: Array<() => tf.Tensor> = [
    () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(x),
    () => tf.sum(x, [0, 1, 2]),
    () => tf.mean(x, [1, 2], true),
    () => tf.tile(x, [1, 2, 1, 2]),
    () => tf.matMul(x.reshape([256, 64]), x.reshape([256, 64]), true, false),
    () => tf.unsortedSegmentSum(x.reshape([2, 8192]).concat(x.reshape([2, 8192]).slice([0, 0], [1, 8192])), ids as tf.Tensor1D, 4),
    () => tf.conv2dTranspose(x.slice([0, 0, 0, 0], [2, 4, 4, 8]) as tf.Tensor4D, tf.ones([3, 3, 2, 8]) as tf.Tensor4D, [2, 8, 8, 2], 2, 'same'),
    () => tf.cast(x, 'bool'),
    () => tf.clone(x),
  ];
  for (const call of calls) {
    tf.tidy(() => { call(); });
    assert.equal(wasm.numDataIds(), before);
  }
  tf.dispose([x, ids]);
});
