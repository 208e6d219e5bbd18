// Validates the composed wasm convolution gradient kernels against tfjs's cpu backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/engine/backend/wasmGradientKernels.ts';
import { transientValues } from '../../src/engine/readback/readback.ts';
import { values } from '../helpers/layerStep.ts';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];
type Attrs = Record<string, unknown>;

const stats = { cases: 0, worst: 0, worstLabel: '' };

/** Max abs diff, tolerance 1e-4 scaled by the reference magnitude when it exceeds 1. */
function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let diff = 0;
  let mag = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    mag = Math.max(mag, Math.abs(expected[i]));
  }
  assert.ok(Number.isFinite(diff) && diff <= 1e-4 * mag, `${label}: max |diff| ${diff} (magnitude ${mag})`);
  stats.cases++;
  if (diff / mag > stats.worst) [stats.worst, stats.worstLabel] = [diff / mag, label];
}

/** Runs `fn` on `backend` with fresh tensors built from `data`; returns the outputs as arrays. */
async function on(backend: string, data: Array<[number[], Float32Array]>, fn: (...ts: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => fn(...data.map(([shape, v]) => tf.tensor(v, shape))).map((t) => t.dataSync() as Float32Array));
}

/** Same computation on wasm and cpu, outputs compared pairwise. */
async function compare(label: string, data: Array<[number[], Float32Array]>, fn: (...ts: tf.Tensor[]) => tf.Tensor[], ref = fn): Promise<void> {
  const got = await on('wasm', data, fn);
  const want = await on('cpu', data, ref);
  got.forEach((g, i) => assertClose(g, want[i], `${label} #${i}`));
}

function outShape(x: number[], f: number[], strides: number | number[], pad: Pad, depthwise: boolean, dilations = 1, round?: 'ceil' | 'floor' | 'round', fmt: 'channelsLast' | 'channelsFirst' = 'channelsLast'): Shape4 {
  return tf.backend_util.computeConv2DInfo(x as Shape4, f as Shape4, strides as [number, number], dilations, pad, round, depthwise, fmt).outShape as Shape4;
}

/**
 * tfjs-core 4.22 sizes numeric padding with the filter height on both axes
 * (conv_util.computeOutputShape2D), so a numeric pad with a non-square filter gives a wrong
 * output width, and wasm's XNNPACK forward conv then writes past its output buffer.
 */
const numericPadOk = (pad: Pad, fs: number[]): boolean => typeof pad !== 'number' || fs[0] === fs[1];

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

before(async () => {
  const wasmDist = path.dirname(createRequire(path.resolve('package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(wasmDist + path.sep);
  assert.ok(await tf.setBackend('wasm'));
});

after(() => {
  console.log(`[wasm-grad-kernels] ${stats.cases} comparisons, worst max|diff|/max(1,|ref|) = ${stats.worst.toExponential(2)} (${stats.worstLabel})`);
});

test('registers only the missing kernels, idempotently', () => {
  assert.throws(() => tf.engine().runKernel('Conv2DBackpropFilter', {}, {}), /not registered|Conv2DBackpropFilter/);
  assert.deepEqual(registerWasmGradientKernels(tf).sort(),
    ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']);
  assert.deepEqual(registerWasmGradientKernels(tf), []);
  // wasm ships a Conv2DBackpropInput (a scalar loop); replacing it is opt-in. The rest of the
  // suite runs with the replacement so the composed input gradient is what gets validated.
  assert.deepEqual(registerWasmGradientKernels(tf, { fastConv2DBackpropInput: true }), ['Conv2DBackpropInput']);
  assert.deepEqual(registerWasmGradientKernels(tf, { fastConv2DBackpropInput: true }), []);
});

// tfjs's Conv2D gradient rejects dilations > 1 (tfjs-core gradients/Conv2D_grad.js), so conv2d
// is checked for strides and paddings; dilation is covered by the depthwise kernels below.
test('conv2d gradients (dx, dW) match cpu', async () => {
  const shapes: Array<[number[], number[]]> = [
    [[1, 5, 5, 2], [3, 3, 2, 3]],
    [[2, 7, 6, 3], [2, 3, 3, 4]],
    [[3, 9, 8, 1], [4, 2, 1, 2]],
    [[2, 16, 12, 8], [3, 3, 8, 16]],
  ];
  const pads: Pad[] = ['same', 'valid', 1, [[0, 0], [1, 2], [0, 1], [0, 0]]];
  const stridesList: Array<number | [number, number]> = [1, 2, [1, 2], 3]; // 2 and 3: the GEMM + col2im dx
  for (const [xs, fs] of shapes) for (const strides of stridesList) for (const pad of pads) {
    if (!numericPadOk(pad, fs)) continue;
    const dys = outShape(xs, fs, strides, pad, false);
    const data: Array<[number[], Float32Array]> = [[xs, values(xs, 1)], [fs, values(fs, 2)], [dys, values(dys, 3)]];
    await compare(`conv2d x${xs} f${fs} s${strides} ${JSON.stringify(pad)}`, data,
      (x, f, dy) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))([x, f], dy));
  }
});

test('depthwiseConv2d gradients (dx, dW) match cpu, channel multiplier 1 and 2', async () => {
  const shapes: Array<[number[], number[]]> = [
    [[1, 5, 5, 2], [3, 3, 2, 1]],
    [[2, 7, 6, 3], [2, 3, 3, 1]],
    [[3, 9, 8, 4], [3, 2, 4, 1]],
    [[2, 12, 10, 8], [3, 3, 8, 1]],
  ];
  const pads: Pad[] = ['same', 'valid', 1, [[0, 0], [2, 1], [1, 0], [0, 0]]];
  for (const [xs, f1] of shapes) for (const m of [1, 2]) for (const strides of [1, 2]) for (const pad of pads) {
    const fs = [f1[0], f1[1], f1[2], m];
    if (!numericPadOk(pad, fs)) continue;
    const dys = outShape(xs, fs, strides, pad, true);
    const data: Array<[number[], Float32Array]> = [[xs, values(xs, 4)], [fs, values(fs, 5)], [dys, values(dys, 6)]];
    await compare(`depthwise x${xs} f${fs} s${strides} ${JSON.stringify(pad)}`, data,
      (x, f, dy) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))([x, f], dy));
  }
});

/** Spreads a [kh, kw, c, m] filter to its dilated form (zeros between taps), as a cpu reference. */
function dilateFilter(f: tf.Tensor, d: number): tf.Tensor {
  const [kh, kw, c, m] = f.shape;
  return f.reshape([kh, 1, kw, 1, c, m]).pad([[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0], [0, 0]])
    .reshape([kh * d, kw * d, c, m]).slice([0, 0, 0, 0], [(kh - 1) * d + 1, (kw - 1) * d + 1, c, m]);
}

// tfjs only reaches these with dilation > 1 through the kernels themselves (the op gradient
// rejects it), and the cpu kernels ignore `dilations` in their loops (tfjs-backend-cpu 4.22
// DepthwiseConv2dNativeBackprop{Filter,Input}.js), so the reference is the undilated kernel
// applied to the explicitly dilated filter.
test('depthwise backprop kernels with dilation 2 match a dilated-filter cpu reference', async () => {
  const cases: Array<[number[], number[], Pad]> = [
    [[1, 7, 7, 2], [2, 2, 2, 1], 'valid'],
    [[2, 9, 8, 3], [3, 2, 3, 2], 'same'],
    [[2, 8, 9, 2], [2, 3, 2, 2], [[0, 0], [1, 2], [3, 0], [0, 0]]],
  ];
  for (const [xs, fs, pad] of cases) {
    const dys = outShape(xs, fs, 1, pad, true, 2);
    const data: Array<[number[], Float32Array]> = [[xs, values(xs, 7)], [fs, values(fs, 8)], [dys, values(dys, 9)]];
    const attrs = { strides: 1, pad, dilations: 2 };
    await compare(`depthwise d2 x${xs} f${fs} ${JSON.stringify(pad)}`, data,
      (x, f, dy) => [
        run('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xs }),
        run('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: fs }),
      ],
      (x, f, dy) => {
        const fd = dilateFilter(f, 2);
        const dWd = run('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, dilations: 1, filterShape: fd.shape });
        return [
          run('DepthwiseConv2dNativeBackpropInput', { dy, filter: fd }, { ...attrs, dilations: 1, inputShape: xs }),
          tf.stridedSlice(dWd, [0, 0, 0, 0], dWd.shape, [2, 2, 1, 1]),
        ];
      });
  }
});

test('kernels match cpu for NCHW, dimRoundingMode and padding wider than the filter', async () => {
  type Case = { xs: number[]; fs: number[]; strides: number; pad: Pad; round?: 'ceil' | 'floor'; nchw?: boolean; depthwise?: boolean };
  const cases: Case[] = [
    { xs: [2, 3, 7, 6], fs: [3, 3, 3, 4], strides: 1, pad: 'same', nchw: true },
    { xs: [2, 3, 7, 6], fs: [3, 2, 3, 4], strides: 2, pad: 'valid', nchw: true },
    { xs: [1, 2, 6, 7], fs: [2, 2, 2, 3], strides: 2, pad: [[0, 0], [0, 0], [1, 2], [2, 0]], nchw: true },
    { xs: [2, 7, 7, 3], fs: [2, 2, 3, 4], strides: 2, pad: 1, round: 'ceil' },
    { xs: [2, 8, 7, 3], fs: [3, 3, 3, 2], strides: 2, pad: 1, round: 'floor' },
    { xs: [1, 5, 6, 2], fs: [2, 2, 2, 3], strides: 1, pad: [[0, 0], [3, 0], [2, 4], [0, 0]] },
    { xs: [2, 7, 7, 3], fs: [2, 2, 3, 2], strides: 2, pad: 1, round: 'ceil', depthwise: true },
    { xs: [1, 5, 6, 2], fs: [2, 2, 2, 2], strides: 1, pad: [[0, 0], [3, 0], [2, 4], [0, 0]], depthwise: true },
  ];
  for (const { xs, fs, strides, pad, round, nchw = false, depthwise = false } of cases) {
    const dys = outShape(xs, fs, strides, pad, depthwise, 1, round, nchw ? 'channelsFirst' : 'channelsLast');
    const data: Array<[number[], Float32Array]> = [[xs, values(xs, 10)], [fs, values(fs, 11)], [dys, values(dys, 12)]];
    const attrs = { strides, pad, dimRoundingMode: round, ...(depthwise ? { dilations: 1 } : { dataFormat: nchw ? 'NCHW' : 'NHWC' }) };
    const [inputKernel, filterKernel] = depthwise
      ? ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']
      : ['Conv2DBackpropInput', 'Conv2DBackpropFilter'];
    await compare(`${filterKernel} x${xs} f${fs} s${strides} ${JSON.stringify(pad)} ${round ?? ''}`, data, (x, f, dy) => [
      run(inputKernel, { dy, filter: f }, { ...attrs, inputShape: xs }),
      run(filterKernel, { x, dy }, { ...attrs, filterShape: fs }),
    ]);
  }
});

test('variableGrads of a conv-bn-relu-dense model on wasm match cpu', async () => {
  const x = values([4, 8, 8, 3], 13);
  const labels = tf.tidy(() => tf.oneHot([0, 2, 1, 2], 3).dataSync() as Float32Array);
  const gradsOn = async (backend: string): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, strides: 1, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ] });
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.shape, 100 + i), w.shape)));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const result = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(
        tf.tensor(labels, [4, 3]), model.apply(tf.tensor(x, [4, 8, 8, 3]), { training: true }) as tf.Tensor) as tf.Scalar, vars);
      return [value, ...vars.map((v) => grads[v.name])].map((t) => t.dataSync() as Float32Array);
    });
    model.dispose();
    return result;
  };
  const got = await gradsOn('wasm');
  const want = await gradsOn('cpu');
  assert.equal(got.length, 1 + 6); // loss + conv kernel/bias, bn gamma/beta, dense kernel/bias
  got.forEach((g, i) => assertClose(g, want[i], `model ${i === 0 ? 'loss' : `grad ${i}`}`));
});

test('no tensor or backend data leaks', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const x = tf.tensor(values([2, 9, 8, 4], 20), [2, 9, 8, 4]);
  const f = tf.tensor(values([3, 3, 4, 2], 21), [3, 3, 4, 2]);
  const dwy = tf.tensor(values([2, 5, 4, 8], 22), [2, 5, 4, 8]);
  const cf = tf.tensor(values([3, 3, 4, 8], 23), [3, 3, 4, 8]);
  const base = () => [tf.memory().numTensors, backend.numDataIds()];
  const before = base();
  const common = { strides: 2, pad: 'same', dilations: 1, dataFormat: 'NHWC' };
  const calls: Array<() => tf.Tensor> = [
    () => run('DepthwiseConv2dNativeBackpropInput', { dy: dwy, filter: f }, { ...common, inputShape: x.shape }),
    () => run('DepthwiseConv2dNativeBackpropFilter', { x, dy: dwy }, { ...common, filterShape: f.shape }),
    () => run('Conv2DBackpropInput', { dy: dwy, filter: cf }, { ...common, inputShape: x.shape }),
    () => run('Conv2DBackpropFilter', { x, dy: dwy }, { ...common, filterShape: [3, 3, 4, 8] }),
  ];
  for (const call of calls) {
    const out = call();
    out.dispose();
    assert.deepEqual(base(), before);
  }
  const out = run('Conv2DBackpropFilter', { x, dy: dwy }, { ...common, filterShape: [3, 3, 4, 8] });
  assert.deepEqual(base(), [before[0] + 1, before[1] + 1]);
  out.dispose();
  const grads = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').relu().sum())([x, f]));
  assert.deepEqual(base(), [before[0] + 2, before[1] + 2]);
  tf.dispose([...grads, x, f, dwy, cf]);
});

test('the debugger reads wasm tensors as views on the heap, with the same values as dataSync', async () => {
  await tf.setBackend('wasm');
  const core = createRequire(__filename)('@tensorflow/tfjs-core');
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
  for (const shape of [[1], [7, 3], [64, 64], [4, 32, 32, 8]]) {
    const t = tf.tensor(values(shape, shape.length), shape);
    const view = transientValues(core, t);
    assert.ok(view instanceof Float32Array && view.buffer === (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer, 'a view, not a copy');
    assert.deepEqual(Array.from(view), Array.from(t.dataSync()), `values of ${shape}`);
    t.dispose();
  }
  const ints = tf.tensor([1, 2, 3], [3], 'int32');
  assert.deepEqual(Array.from(transientValues(core, ints)), [1, 2, 3], 'other dtypes are read with dataSync');
  ints.dispose();
  assert.ok(heap.byteLength > 0);
});
