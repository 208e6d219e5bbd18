/**
 * Sum and Mean of a float32 tensor over a block of contiguous axes that is not the innermost, as XNNPACK
 * average pooling (wasm's AvgPool): the tensor is read in place as NHWC [outer, reduced, 1, inner] and
 * pooled with a [reduced, 1] window; Sum scales the mean back by the window size.
 *
 * wasm's own Sum and Mean first transpose the reduced axes to the end (tfjs-backend-wasm/dist/kernels/
 * kernel_utils.js, permuteAxesAndTranspose) and then add in a scalar loop. A bias gradient or a
 * BatchNormalization moment reduces the leading axes of a large NHWC tensor, and global average pooling
 * the middle ones, so in a CNN training step these reductions cost more than the backward convolutions:
 * 7 to 14 ms for a [32, 32, 32, 64] tensor here, against 0.6 to 2.7 ms pooled. (A product with a vector of
 * ones on XNNPACK's GEMM is slower still: packing a tall right-hand operand dominates.) The results are
 * float32 sums in another order than wasm's loop or cpu's double accumulation: equal within rounding (the
 * layer audit checks 1e-4).
 *
 * Reductions over the innermost axes (wasm reduces those in place already), other dtypes and small
 * tensors go to wasm's own kernel.
 */
import type { KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { composed } from './composedKernel.ts';
import { replaceWasmKernel } from './kernelRegistration.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/** Below this many elements the five kernel calls of the pooled form cost more than wasm's transpose. */
export const MIN_POOLED_SIZE = 8192;

/** [outer, reduced, inner] when `axes` are one contiguous block with inner > 1, else null. */
function pooledShape(shape: number[], axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((a, i) => a !== sorted[0] + i)) return null;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const last = sorted[sorted.length - 1];
  const inner = size(last + 1, shape.length);
  return inner > 1 ? [size(0, sorted[0]), size(sorted[0], last + 1), inner] : null;
}

function reduction(tf: Tf, mean: boolean, original: KernelFunc): KernelFunc {
  const pooled = composed(tf, (run, { x }, attrs) => {
    const { axis, keepDims } = attrs as unknown as SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const [outer, reduced, inner] = pooledShape(x.shape, axes)!;
    const nhwc = run('Reshape', { x }, { shape: [outer, reduced, 1, inner] });
    let result = run('AvgPool', { x: nhwc }, { filterSize: [reduced, 1], strides: [1, 1], pad: 'valid' });
    if (!mean) result = run('Multiply', { a: result, b: run('Fill', {}, { shape: [], value: reduced, dtype: 'float32' }) });
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    return run('Reshape', { x: result }, { shape: keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape });
  });
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const axes = tf.util.parseAxisParam((args.attrs as unknown as SumAttrs).axis, x.shape);
    const usable = x.dtype === 'float32' && tf.util.sizeFromShape(x.shape) >= MIN_POOLED_SIZE && pooledShape(x.shape, axes) != null;
    return usable ? pooled(args) : original(args);
  };
}

/** Replaces wasm's Sum and Mean; returns the names replaced. */
export function registerWasmReductionKernels(tf: Tf): string[] {
  return (['Sum', 'Mean'] as const).filter((name) => replaceWasmKernel(tf, name, (original) => reduction(tf, name === 'Mean', original)));
}
