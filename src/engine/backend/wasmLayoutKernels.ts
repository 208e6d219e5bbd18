/**
 * Three wasm kernels whose cost was memory, not arithmetic:
 *
 * - Identity without a copy: the output shares the input's buffer, reference-counted, as on the cpu
 *   backend (tfjs-backend-cpu/dist/kernels/Identity.js; BackendWasm.disposeData honours refCount too).
 *   wasm's own allocates and copies (tfjs-backend-wasm/dist/kernels/Identity.js), and tfjs clones every
 *   tensor it saves for the backward pass and every gradient it passes through: ten full-size copies per
 *   BatchNormalization layer and step in a CNN.
 * - Tile, as block copies on the wasm heap (TypedArray.set / copyWithin). wasm's own Tile computes every
 *   output element's source index in a scalar loop; BatchNormalization's gradient tiles a [1, 1, 1, C]
 *   tensor to the activation's full shape (tfjs-core/src/gradients/FusedBatchNorm_grad.ts), which made it
 *   a third of a CNN training step. Copies are exact.
 * - BatchMatMul with a transposed operand. wasm reaches XNNPACK's fast GEMM only without transposes and
 *   with a batch of one (tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc, batchMatMul); anything else
 *   runs a scalar blocked loop. A Dense layer's gradients are transposed products (dx = dy·Wᵀ,
 *   dW = xᵀ·dy), as are an RNN's, so the operand is transposed explicitly (wasm's Transpose) and the
 *   product goes to XNNPACK. Float32 sums in another order: equal to the loop's within rounding.
 *   A transposed or batched product of at most MAX_JS_MACS multiply-adds (a small Dense layer's or RNN
 *   cell's gradient) runs wasm's own loop, written in JavaScript on the heap: the call, not the arithmetic,
 *   is its cost.
 */
import type { BatchMatMulAttrs, KernelBackend, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { composed } from './composedKernel.ts';
import { replaceWasmKernel } from './kernelRegistration.ts';
import { asWasm, type HeapArray, type WasmBackend } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/** Below this many multiply-adds wasm's loop beats the extra Transpose calls. */
const MIN_XNNPACK_MACS = 32768;
/** Up to this many multiply-adds a JavaScript loop on the heap beats wasm's loop and the Transpose calls. */
export const MAX_JS_MACS = 1024;
/** wasm's slow_batch_matmul sums k in blocks of this size (kBlockSize). */
const WASM_BLOCK = 48;

/** Copies a[off, off+n) over the next (times - 1) blocks of n, doubling the copied span each time. */
function replicate(a: HeapArray, off: number, n: number, times: number): void {
  const total = n * times;
  for (let filled = n; filled < total;) {
    const count = Math.min(filled, total - filled);
    a.copyWithin(off + filled, off, off + count);
    filled += count;
  }
}

/** out = tile(x, reps) for row-major x of `shape`; out has shape[i] * reps[i] along each axis. */
function tileInto(x: HeapArray, shape: number[], reps: number[], out: HeapArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  const inStride = new Array<number>(rank).fill(1);
  const outBlock = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1] * shape[d + 1];
    outBlock[d] = outBlock[d + 1] * shape[d + 1] * reps[d + 1];
  }
  const fill = (d: number, from: number, to: number): void => {
    if (d === rank - 1) out.set(x.subarray(from, from + shape[d]), to);
    else for (let i = 0; i < shape[d]; i++) fill(d + 1, from + i * inStride[d], to + i * outBlock[d]);
    replicate(out, to, shape[d] * outBlock[d], reps[d]);
  };
  fill(0, 0, 0);
}

function tile(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { reps } = args.attrs as unknown as TileAttrs;
    if (x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    const outShape = x.shape.map((s, i) => s * reps[i]);
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(outShape, x.dtype);
    if (tf.util.sizeFromShape(outShape) > 0) tileInto(wasm.typedArrayFromHeap(x), x.shape, reps, wasm.typedArrayFromHeap(out));
    return out;
  };
}

/** Swaps the last two axes. */
const lastTwoSwapped = (rank: number): number[] => [...Array(rank - 2).keys(), rank - 1, rank - 2];

/** The sizes of a·b (either transposed): a is [batchA, m, k], b is [batchB, kB, n] once transposes are undone. */
interface Product {
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  kB: number;
  n: number;
}

function product(a: TensorInfo, b: TensorInfo, { transposeA, transposeB }: BatchMatMulAttrs): Product {
  const [ra, rb] = [a.shape.length, b.shape.length];
  let batchA = 1;
  for (let i = 0; i < ra - 2; i++) batchA *= a.shape[i];
  let batchB = 1;
  for (let i = 0; i < rb - 2; i++) batchB *= b.shape[i];
  return {
    batchA,
    batchB,
    m: transposeA ? a.shape[ra - 1] : a.shape[ra - 2],
    k: transposeA ? a.shape[ra - 2] : a.shape[ra - 1],
    kB: transposeB ? b.shape[rb - 1] : b.shape[rb - 2],
    n: transposeB ? b.shape[rb - 2] : b.shape[rb - 1],
  };
}

/**
 * out = a·b (either transposed) for float32 operands with equal batches, in a JavaScript loop on the heap
 * that computes what wasm's own loop computes, bit for bit (tfjs-backend-wasm/src/cc/kernels/BatchMatMul.cc,
 * slow_batch_matmul): a float32 sum per block of 48 along k, each product rounded to float32, added to the
 * float32 output. So a script run with --backend wasm trains exactly as on wasm without the debugger.
 * `outShape`: the batch dimensions, m and n.
 */
function matMulInJs(wasm: WasmBackend, a: TensorInfo, b: TensorInfo, attrs: BatchMatMulAttrs, p: Product, outShape: number[]): TensorInfo {
  const { batchA, m, k, n } = p;
  const out = wasm.makeOutput(outShape, 'float32');
  const [x, y, z] = [wasm.typedArrayFromHeap(a), wasm.typedArrayFromHeap(b), wasm.typedArrayFromHeap(out)];
  // x[i, q] = x[i * xi + q * xq]; y[q, j] = y[q * yq + j * yj]
  const [xi, xq] = attrs.transposeA ? [1, m] : [k, 1];
  const [yq, yj] = attrs.transposeB ? [1, k] : [n, 1];
  const f = Math.fround;
  for (let batch = 0, o = 0; batch < batchA; batch++) {
    const xBase = batch * m * k;
    const yBase = batch * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++, o++) {
        let total = 0;
        for (let q0 = 0; q0 < k; q0 += WASM_BLOCK) {
          let sum = 0;
          const q1 = Math.min(q0 + WASM_BLOCK, k);
          for (let q = q0; q < q1; q++) sum = f(sum + f(x[xBase + i * xi + q * xq] * y[yBase + q * yq + j * yj]));
          total = f(total + sum);
        }
        z[o] = total;
      }
    }
  }
  return out;
}

function batchMatMul(tf: Tf, original: KernelFunc): KernelFunc {
  const viaXnnpack = composed(tf, (run, { a, b }, attrs) => {
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const a2 = transposeA ? run('Transpose', { x: a }, { perm: lastTwoSwapped(a.shape.length) }) : a;
    const b2 = transposeB ? run('Transpose', { x: b }, { perm: lastTwoSwapped(b.shape.length) }) : b;
    return run(original, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  });
  return (args) => {
    const { a, b } = args.inputs as Record<string, TensorInfo>;
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    const p = product(a, b, attrs);
    const batchOfOne = p.batchA === 1 && p.batchB === 1;
    if (!(attrs.transposeA || attrs.transposeB) && batchOfOne) return original(args); // XNNPACK's GEMM
    const macs = Math.max(p.batchA, p.batchB) * p.m * p.n * p.k;
    if (macs <= MAX_JS_MACS && p.batchA === p.batchB && p.k === p.kB && a.dtype === 'float32' && b.dtype === 'float32') {
      const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      if (tf.util.sizeFromShape(outer) === p.batchA) return matMulInJs(asWasm(args.backend), a, b, attrs, p, [...outer, p.m, p.n]);
    }
    if (!batchOfOne) return original(args);
    return macs >= MIN_XNNPACK_MACS ? viaXnnpack(args) : original(args);
  };
}

function identity(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original(args);
    (args.backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Replaces wasm's Identity, Tile and BatchMatMul; returns the names replaced. */
export function registerWasmLayoutKernels(tf: Tf): string[] {
  const replaced: string[] = [];
  if (replaceWasmKernel(tf, 'Identity', identity)) replaced.push('Identity');
  if (replaceWasmKernel(tf, 'Tile', (original) => tile(tf, original))) replaced.push('Tile');
  if (replaceWasmKernel(tf, 'BatchMatMul', (original) => batchMatMul(tf, original))) replaced.push('BatchMatMul');
  return replaced;
}
