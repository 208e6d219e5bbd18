/**
 * UnsortedSegmentSum for wasm (which has none), in JavaScript on the wasm heap. It is the gradient of a
 * gather (tfjs-core/src/gradients/GatherV2_grad.ts), so every Embedding layer needs it to train.
 *
 * out[s, ...] = sum of x[n, ...] over the rows n with segmentIds[n] == s, rows added in ascending n and
 * in double, then rounded: what the cpu backend computes (tfjs-backend-cpu/dist/kernels/
 * UnsortedSegmentSum.js: per segment, mask·x summed over axis 0 by its double-accumulating Sum), without
 * its numSegments passes over x. Rows are bucketed per segment with a stable counting sort, so one row of
 * doubles is the only scratch. Ids outside [0, numSegments) are dropped, as cpu's mask drops them. One
 * difference, on purpose: cpu multiplies every row by a 0/1 mask, so a NaN or Infinity in any row of x
 * turns every segment into NaN; here it reaches only its own segment.
 *
 * segmentIds of rank other than 1 (which tfjs's gather gradient never produces) go to the cpu fallback.
 */
import type { KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { addWasmKernel } from './kernelRegistration.ts';
import { asWasm } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/** One row of double accumulators, kept across calls to save an allocation per call. */
let scratch = new Float64Array(0);
function scratchRow(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch;
}

function unsortedSegmentSumInto(x: Float32Array, ids: Int32Array, numSegments: number, inner: number, out: Float32Array): void {
  // Stable counting sort of the rows by segment.
  const start = new Int32Array(numSegments + 1);
  for (let n = 0; n < ids.length; n++) if (ids[n] >= 0 && ids[n] < numSegments) start[ids[n] + 1]++;
  for (let s = 0; s < numSegments; s++) start[s + 1] += start[s];
  const rows = new Int32Array(start[numSegments]);
  const next = start.slice(0, numSegments);
  for (let n = 0; n < ids.length; n++) if (ids[n] >= 0 && ids[n] < numSegments) rows[next[ids[n]]++] = n;
  const acc = scratchRow(inner);
  for (let s = 0; s < numSegments; s++) {
    const from = start[s];
    const to = start[s + 1];
    if (from === to) {
      out.fill(0, s * inner, (s + 1) * inner);
      continue;
    }
    acc.fill(0, 0, inner);
    for (let k = from; k < to; k++) {
      const base = rows[k] * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[base + i];
    }
    out.set(acc.subarray(0, inner), s * inner);
  }
}

function unsortedSegmentSum(tf: Tf, cpuFallback: () => KernelFunc | null): KernelFunc {
  return (args) => {
    const { x, segmentIds } = args.inputs as Record<string, TensorInfo>;
    const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
    if (segmentIds.shape.length !== 1 || x.dtype !== 'float32' || segmentIds.dtype !== 'int32') {
      const fallback = cpuFallback();
      if (fallback == null) throw new Error(`UnsortedSegmentSum on wasm supports 1-D int32 segment ids and float32 values only`);
      return fallback(args);
    }
    const outShape = [numSegments, ...x.shape.slice(1)];
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(outShape, 'float32');
    const inner = tf.util.sizeFromShape(x.shape.slice(1));
    unsortedSegmentSumInto(wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(segmentIds) as Int32Array, numSegments,
      inner, wasm.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}

/** Adds UnsortedSegmentSum to wasm when it lacks one. `cpuFallback` serves the shapes it does not handle. */
export function registerWasmSegmentKernels(tf: Tf, cpuFallback: () => KernelFunc | null): string[] {
  return addWasmKernel(tf, 'UnsortedSegmentSum', unsortedSegmentSum(tf, cpuFallback)) ? ['UnsortedSegmentSum'] : [];
}
