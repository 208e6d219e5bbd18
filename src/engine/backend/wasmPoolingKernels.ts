/**
 * MaxPoolGrad for wasm, in JavaScript on the wasm heap, with the cpu backend's semantics.
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
 */
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
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

function maxPoolGrad(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as Record<string, TensorInfo>;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32') return original(args);
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(input.shape, 'float32');
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    dx.fill(0);
    maxPoolGradInto(wasm.typedArrayFromHeap(input) as Float32Array, wasm.typedArrayFromHeap(dy) as Float32Array, dx, info);
    return out;
  };
}

export function registerWasmPoolingKernels(tf: Tf): string[] {
  return replaceWasmKernel(tf, 'MaxPoolGrad', (original) => maxPoolGrad(tf, original)) ? ['MaxPoolGrad'] : [];
}
