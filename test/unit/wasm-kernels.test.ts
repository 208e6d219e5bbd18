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
import { MAX_JS_MACS } from '../../src/engine/backend/wasmLayoutKernels.ts';
import { MIN_POOLED_SIZE } from '../../src/engine/backend/wasmReductionKernels.ts';
import { relativeError, values } from '../helpers/layerStep.ts';

type Data = Array<[number[], Float32Array | Int32Array]>;
type Fn = (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

const stock = new Map<string, tf.KernelConfig>();

/** wasm's binary kernels (wasmBinaryKernels.ts) and an op that runs each, on float, int or bool operands. */
const BINARY_OPS: Record<string, [(a: tf.Tensor, b: tf.Tensor) => tf.Tensor, 'float32' | 'int32' | 'bool']> = {
  Add: [tf.add, 'float32'], Atan2: [tf.atan2, 'float32'], BitwiseAnd: [tf.bitwiseAnd, 'int32'], FloorDiv: [tf.floorDiv, 'float32'],
  Maximum: [tf.maximum, 'float32'], Minimum: [tf.minimum, 'float32'], Mod: [tf.mod, 'float32'], Multiply: [tf.mul, 'float32'],
  Pow: [tf.pow, 'float32'], RealDiv: [tf.div, 'float32'], SquaredDifference: [tf.squaredDifference, 'float32'], Sub: [tf.sub, 'float32'],
  Equal: [tf.equal, 'float32'], Greater: [tf.greater, 'float32'], GreaterEqual: [tf.greaterEqual, 'float32'], Less: [tf.less, 'float32'],
  LessEqual: [tf.lessEqual, 'float32'], LogicalAnd: [tf.logicalAnd, 'bool'], LogicalOr: [tf.logicalOr, 'bool'],
  LogicalXor: [tf.logicalXor, 'bool'], NotEqual: [tf.notEqual, 'float32'],
};
const used: string[] = [];

before(async () => {
  const wasmDist = path.dirname(createRequire(path.resolve('package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(wasmDist + path.sep);
  for (const name of ['MaxPoolGrad', 'MaxPool3DGrad', 'Conv3DBackpropInputV2', 'Cast', 'BatchMatMul', ...Object.keys(BINARY_OPS)]) stock.set(name, { ...tf.getKernel(name, 'wasm') });
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
    'Conv2DBackpropInput', 'UnsortedSegmentSum', 'MaxPoolGrad', 'MaxPool3DGrad', 'Cast', 'Sum', 'Mean', 'Identity', 'Tile', 'BatchMatMul', ...Object.keys(BINARY_OPS)]);
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

/** Each window's last maximum (>=, as cpu) receives its dy: a reference for maxPool3d's gradient, 'valid' padding. */
function maxPool3dGradReference(shape: number[], x: Float32Array, f: number[], s: number[], dy: Float32Array): Float32Array {
  const [N, D, H, W, C] = shape;
  const out = [D, H, W].map((n, i) => Math.floor((n - f[i]) / s[i]) + 1);
  const dx = new Float32Array(x.length);
  let o = 0;
  for (let b = 0; b < N; b++) for (let od = 0; od < out[0]; od++) for (let oh = 0; oh < out[1]; oh++) for (let ow = 0; ow < out[2]; ow++) for (let c = 0; c < C; c++, o++) {
    let best = -Infinity;
    let at = -1;
    for (let d = od * s[0]; d < od * s[0] + f[0]; d++) for (let h = oh * s[1]; h < oh * s[1] + f[1]; h++) for (let w = ow * s[2]; w < ow * s[2] + f[2]; w++) {
      const i = (((b * D + d) * H + h) * W + w) * C + c;
      if (x[i] >= best) [best, at] = [x[i], i];
    }
    dx[at] += dy[o];
  }
  return dx;
}

test('MaxPool3DGrad: wasm 4.22 and, for windows not as high as wide, cpu 4.22 are wrong; ours is right and equals cpu where cpu is', async () => {
  const grad = (filter: number[], stride: number[], pad: 'same' | 'valid') => (t: tf.Tensor, d: tf.Tensor) =>
    tf.grad((a: tf.Tensor) => tf.maxPool3d(a as tf.Tensor5D, filter as [number, number, number], stride as [number, number, number], pad).mul(d).sum())(t);
  const negative = new Float32Array([-0.5, -0.1, -0.9, -0.3, -0.7, -0.2, -0.8, -0.6]); // the maximum is -0.1, at index 1
  const cube: Data = [[[1, 2, 2, 2, 1], negative], [[1, 1, 1, 1, 1], new Float32Array([7])]];
  const [stockDx] = await withStockKernel('MaxPool3DGrad', () => on('wasm', cube, grad([2, 2, 2], [2, 2, 2], 'valid')));
  assert.deepEqual(Array.from(stockDx.values), [7, 0, 0, 0, 0, 0, 0, 0], 'the stock wasm kernel');
  assert.deepEqual(Array.from((await on('wasm', cube, grad([2, 2, 2], [2, 2, 2], 'valid')))[0].values), [0, 7, 0, 0, 0, 0, 0, 0]);
  // A window 2 high and 3 wide: cpu encodes its positions with the height as the row stride.
  const shape = [2, 2, 4, 6, 3];
  const x = values(shape, 8);
  const dy = values([2, 2, 2, 2, 3], 9);
  const wide: Data = [[shape, x], [[2, 2, 2, 2, 3], dy]];
  const reference = maxPool3dGradReference(shape, x, [1, 2, 3], [1, 2, 3], dy);
  assert.deepEqual((await on('wasm', wide, grad([1, 2, 3], [1, 2, 3], 'valid')))[0].values, reference);
  assert.notDeepEqual((await on('cpu', wide, grad([1, 2, 3], [1, 2, 3], 'valid')))[0].values, reference, 'cpu 4.22');
  // Cubic windows, overlapping, 'same' padding, ties: cpu's result bit for bit.
  const tied = Float32Array.from(values([1, 4, 4, 4, 2], 10), (v) => Math.round(v * 2));
  for (const [xs, data, filter, stride, pad] of [
    [[2, 5, 7, 6, 3], values([2, 5, 7, 6, 3], 11), [3, 3, 3], [2, 2, 2], 'same'],
    [[1, 4, 4, 4, 2], tied, [2, 2, 2], [1, 1, 1], 'valid'],
    [[1, 4, 6, 6, 2], values([1, 4, 6, 6, 2], 12).map((v) => -Math.abs(v)), [2, 3, 3], [2, 3, 3], 'valid'],
  ] as Array<[number[], Float32Array, number[], number[], 'same' | 'valid']>) {
    const outShape = tf.backend_util.computePool3DInfo(xs as [number, number, number, number, number], filter as [number, number, number], stride as [number, number, number], 1, pad).outShape;
    const data2: Data = [[xs, data], [outShape, values(outShape, 13)]];
    assert.deepEqual(await on('wasm', data2, grad(filter, stride, pad)), await on('cpu', data2, grad(filter, stride, pad)), `maxPool3d ${xs} ${filter}/${stride} ${pad}`);
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

/** Multiply-adds of a·b (batches broadcast). */
function macs(as: number[], bs: number[], ta: boolean, tb: boolean): number {
  const [m, k] = ta ? as.slice(-2).reverse() : as.slice(-2);
  const n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
  const batch = Math.max(as.slice(0, -2).reduce((x, y) => x * y, 1), bs.slice(0, -2).reduce((x, y) => x * y, 1));
  return batch * m * n * k;
}

test('BatchMatMul with transposed operands matches cpu', async () => {
  // Over MIN_XNNPACK_MACS (the XNNPACK form), between the two limits (wasm's loop), and batched.
  for (const [as, bs, ta, tb] of [[[40, 70], [30, 70], false, true], [[70, 40], [30, 70], true, true],
    [[1, 128, 33], [1, 128, 17], true, false], [[2, 40, 50], [2, 40, 30], true, false]] as Array<[number[], number[], boolean, boolean]>) {
    assert.ok(macs(as, bs, ta, tb) > MAX_JS_MACS);
    await compareWithCpu(`matMul ${as} ${bs} ${ta} ${tb}`, [[as, values(as, 13)], [bs, values(bs, 14)]], (a, b) => tf.matMul(a, b, ta, tb), 1e-6);
  }
});

test('tiny BatchMatMuls (the JavaScript loop) equal wasm\'s own bit for bit, and cpu within rounding', async () => {
  const cases = [[[7, 5], [7, 3], true, false], [[32, 3], [4, 3], false, true], [[60, 3], [60, 5], true, false], [[2, 4, 5], [2, 4, 3], true, false],
    [[2, 3, 30], [2, 5, 30], false, true], [[3, 4, 5], [1, 3, 5], false, true], [[1, 5, 4], [3, 4, 2], false, false]] as Array<[number[], number[], boolean, boolean]>;
  for (const [as, bs, ta, tb] of cases) {
    assert.ok(macs(as, bs, ta, tb) <= MAX_JS_MACS);
    const data: Data = [[as, values(as, 13)], [bs, values(bs, 14)]];
    const mm = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
    const ours = await on('wasm', data, mm);
    assert.deepEqual(ours, await withStockKernel('BatchMatMul', () => on('wasm', data, mm)), `matMul ${as} ${bs} ${ta} ${tb}`);
    assert.ok(relativeError(ours[0].values, (await on('cpu', data, mm))[0].values) < 1e-6);
  }
  await assert.rejects(on('wasm', [[[2, 3], values([2, 3], 1)], [[4, 2], values([4, 2], 2)]], (a, b) => tf.matMul(a, b, true, false)), /inner shapes/);
});

test('Cast to its own dtype shares the memory, as on cpu', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor([1.5, -2, 3]);
  const before = tf.memory().numBytes;
  const y = tf.cast(x, 'float32');
  assert.equal((tf.backend() as unknown as { getMemoryOffset(d: object): number }).getMemoryOffset(y.dataId),
    (tf.backend() as unknown as { getMemoryOffset(d: object): number }).getMemoryOffset(x.dataId));
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1.5, -2, 3]);
  y.dispose();
  assert.ok(tf.memory().numBytes <= before);
});

test('binary kernels called directly give wasm\'s own results bit for bit: broadcasting, ints, bools, empty', async () => {
  const shapes: Array<[number[], number[]]> = [[[32, 6], [32, 6]], [[4, 1, 3], [5, 1]], [[], [2, 3]], [[2, 1, 2, 1, 2, 1], [1, 2, 1, 2, 1, 2]], [[0, 3], [3]]];
  for (const [name, [op, dtype]] of Object.entries(BINARY_OPS)) {
    for (const dt of dtype === 'float32' ? ['float32', 'int32'] as const : [dtype]) {
      if (name === 'Atan2' && dt === 'int32') continue; // float only in tfjs
      for (const [as, bs] of name === 'BitwiseAnd' ? shapes.filter(([x, y]) => String(x) === String(y)) : shapes) { // no broadcasting in tf.bitwiseAnd
        const make = (shape: number[], seed: number) => tf.tidy(() => {
          const v = tf.tensor(values(shape, seed), shape);
          const ints = v.mul(5).round();
          // no zero among the ints: an integer division by zero traps in wasm, ours and stock alike
          return dt === 'float32' ? v.mul(3) : dt === 'int32' ? ints.add(ints.equal(0).cast('float32').mul(7)).cast('int32') : v.greater(0);
        });
        const run = () => tf.tidy(() => {
          const out = op(make(as, 20), make(bs, 21));
          return { shape: out.shape, dtype: out.dtype, values: Array.from(out.dataSync() as Float32Array) };
        });
        await tf.setBackend('wasm');
        const ours = run();
        const want = await withStockKernel(name, async () => run());
        assert.deepEqual(ours, want, `${name} ${dt} ${as} ${bs}`);
      }
    }
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
    () => tf.grad((a: tf.Tensor) => tf.maxPool3d(a.reshape([2, 8, 16, 16, 4]) as tf.Tensor5D, 2, 2, 'valid').sum())(x),
    () => tf.sum(x, [0, 1, 2]),
    () => tf.mean(x, [1, 2], true),
    () => tf.tile(x, [1, 2, 1, 2]),
    () => tf.matMul(x.reshape([256, 64]), x.reshape([256, 64]), true, false),
    () => tf.unsortedSegmentSum(x.reshape([2, 8192]).concat(x.reshape([2, 8192]).slice([0, 0], [1, 8192])), ids as tf.Tensor1D, 4),
    () => tf.conv2dTranspose(x.slice([0, 0, 0, 0], [2, 4, 4, 8]) as tf.Tensor4D, tf.ones([3, 3, 2, 8]) as tf.Tensor4D, [2, 8, 8, 2], 2, 'same'),
    () => tf.cast(x, 'bool'),
    () => tf.cast(x, 'float32'),
    () => tf.add(x, tf.scalar(1)),
    () => tf.matMul(x.reshape([1024, 4, 4]).slice([0, 0, 0], [8, 4, 4]), x.reshape([1024, 4, 4]).slice([8, 0, 0], [8, 4, 4]), false, true),
    () => tf.clone(x),
  ];
  for (const call of calls) {
    tf.tidy(() => { call(); });
    assert.equal(wasm.numDataIds(), before);
  }
  tf.dispose([x, ids]);
});
