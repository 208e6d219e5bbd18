/**
 * MaxPoolGrad and MaxPool3DGrad for wasm, in JavaScript on the wasm heap, with the cpu backend's semantics.
 *
 * wasm's own MaxPoolGrad (tfjs-backend-wasm 4.22, src/cc/kernels/MaxPoolGrad.cc) starts each window's
 * maximum at std::numeric_limits<float>::min(), the smallest *positive* float, so a window whose values are
 * all negative sends its gradient to the window's first element instead of its maximum; it also keeps the
 * last of equal maxima where the cpu backend keeps the first. Its gradients are wrong for any max pooling
 * that is not preceded by a ReLU, and it was the slowest step of a CNN's backward pass.
 *
 * Here, as in tfjs-backend-cpu (utils/pool_utils.js maxPoolPositions, kernels/MaxPoolGrad.js): each
 * window's maximum starts at -Infinity and moves only on a strictly greater value (the first maximum wins;
 * NaN never does, and a window of NaN or -Infinity only passes no gradient), and that element receives
 * the window's dy. Where windows overlap, an element's contributions are summed in double, as cpu does, so
 * the result is cpu's bit for bit.
 *
 * MaxPool3DGrad: wasm's own has the same wrong initial maximum (src/cc/kernels/MaxPool3DGrad.cc). cpu's
 * (kernels/MaxPool3DGrad.js over utils/pool_utils.js maxPool3dPositions) keeps the *last* of equal maxima
 * (>=) and is right for windows whose height equals their width, but encodes a window position as
 * wRow * filterHeight + wCol, so for any other window it sends gradients to the wrong elements
 * (test/unit/wasm-kernels.test.ts shows it). Here: the last maximum (>=) from -Infinity, as cpu means it,
 * with each position computed from its own index, and overlapping windows summed in double.
 */
import type { KernelFunc, MaxPool3DGradAttrs, MaxPoolGradAttrs, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './kernelRegistration.ts';
import { asWasm } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/** dx for NHWC x and dy; dx must be zeroed. */
function maxPoolGradInto(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  const overlapping = sh < fh || sw < fw;
  // With overlapping windows an element can collect several dy values: sum them in double, then round.
  const acc = overlapping ? new Float64Array(dx.length) : null;
  const best = new Float64Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(W, w0 + fw);
        best.fill(-Infinity);
        where.fill(-1);
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const base = ((b * H + h) * W + w) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const at = where[c];
          if (at < 0) continue;
          if (acc) acc[at] += dy[dyBase + c];
          else dx[at] = dy[dyBase + c];
        }
      }
    }
  }
  if (acc) dx.set(acc);
}

/** dx for NDHWC x and dy; dx must be zeroed. */
function maxPool3DGradInto(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv3DInfo): void {
  const { batchSize, inDepth: D, inHeight: H, inWidth: W, inChannels: C, outDepth: OD, outHeight: OH, outWidth: OW } = info;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw, effectiveFilterDepth: fd, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { front, top, left } = info.padInfo;
  const acc = sd < fd || sh < fh || sw < fw ? new Float64Array(dx.length) : null;
  for (let b = 0, o = 0; b < batchSize; b++) {
    for (let od = 0; od < OD; od++) {
      const d0 = od * sd - front;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sh - top;
        for (let ow = 0; ow < OW; ow++) {
          const w0 = ow * sw - left;
          for (let c = 0; c < C; c++, o++) {
            let best = -Infinity;
            let at = -1;
            for (let d = Math.max(0, d0); d < Math.min(D, d0 + fd); d++) {
              for (let h = Math.max(0, h0); h < Math.min(H, h0 + fh); h++) {
                for (let w = Math.max(0, w0), i = (((b * D + d) * H + h) * W + w) * C + c; w < Math.min(W, w0 + fw); w++, i += C) {
                  if (x[i] >= best) {
                    best = x[i];
                    at = i;
                  }
                }
              }
            }
            if (at < 0) continue;
            if (acc) acc[at] += dy[o];
            else dx[at] = dy[o];
          }
        }
      }
    }
  }
  if (acc) dx.set(acc);
}

type Shape4 = [number, number, number, number];
type Shape5 = [number, number, number, number, number];
type GradInto<I> = (x: Float32Array, dy: Float32Array, dx: Float32Array, info: I) => void;

/** A max-pooling gradient kernel: float32 dx of `input`'s shape, zeroed, filled by `into`; other dtypes go to wasm's own. */
function maxPoolGradKernel<A, I>(original: KernelFunc, poolInfo: (shape: number[], attrs: A) => I, into: GradInto<I>): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as Record<string, TensorInfo>;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32') return original(args);
    const info = poolInfo(input.shape, args.attrs as unknown as A);
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(input.shape, 'float32');
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    dx.fill(0);
    into(wasm.typedArrayFromHeap(input) as Float32Array, wasm.typedArrayFromHeap(dy) as Float32Array, dx, info);
    return out;
  };
}

export function registerWasmPoolingKernels(tf: Tf): string[] {
  const replaced: string[] = [];
  const grad2d = (original: KernelFunc) => maxPoolGradKernel(original, (shape, a: MaxPoolGradAttrs) =>
    tf.backend_util.computePool2DInfo(shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode), maxPoolGradInto);
  const grad3d = (original: KernelFunc) => maxPoolGradKernel(original, (shape, a: MaxPool3DGradAttrs) =>
    tf.backend_util.computePool3DInfo(shape as Shape5, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode), maxPool3DGradInto);
  if (replaceWasmKernel(tf, 'MaxPoolGrad', grad2d)) replaced.push('MaxPoolGrad');
  if (replaceWasmKernel(tf, 'MaxPool3DGrad', grad3d)) replaced.push('MaxPool3DGrad');
  return replaced;
}
