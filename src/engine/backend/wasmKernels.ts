/**
 * Everything the debugger registers on tfjs-backend-wasm so that every tfjs layer trains there, matching
 * the cpu backend, at close to the machine's speed. Order matters: the debugger's own kernels first, then
 * a cpu fallback for whatever wasm still lacks (cpuFallbackKernels.ts), so a fallback only serves kernels
 * nobody wrote a native version of.
 *
 * - wasmGradientKernels.ts  the convolution gradients wasm lacks, and a faster Conv2DBackpropInput
 * - wasmSegmentKernels.ts   UnsortedSegmentSum (an Embedding's gradient)
 * - wasmPoolingKernels.ts   MaxPoolGrad and MaxPool3DGrad, correct (wasm's send some gradients to the wrong
 *                           element; cpu's MaxPool3DGrad too, for windows not as high as wide)
 * - wasmCastKernel.ts       Cast to bool, correct (wasm's wraps values to a byte); to its own dtype, no copy
 * - wasmReductionKernels.ts Sum and Mean as XNNPACK average pooling, without a transpose
 * - wasmBinaryKernels.ts    Add, Multiply, Greater, …: wasm's own C++, called without its per-call shape arrays
 * - wasmLayoutKernels.ts    Identity without a copy, Tile by block copies, BatchMatMul with transposes on
 *                           XNNPACK and tiny ones in JavaScript
 * - cpu fallbacks: every other kernel cpu has and wasm lacks, and the wasm kernels below that compute
 *   wrong results.
 */
import { cpuKernelOnWasm, kernelsMissingOn, registerCpuFallbackKernels, type FallbackUse } from './cpuFallbackKernels.ts';
import { registerWasmBinaryKernels } from './wasmBinaryKernels.ts';
import { registerWasmCastKernel } from './wasmCastKernel.ts';
import { registerWasmGradientKernels } from './wasmGradientKernels.ts';
import { registerWasmLayoutKernels } from './wasmLayoutKernels.ts';
import { registerWasmPoolingKernels } from './wasmPoolingKernels.ts';
import { registerWasmReductionKernels } from './wasmReductionKernels.ts';
import { registerWasmSegmentKernels } from './wasmSegmentKernels.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * wasm kernels (tfjs-backend-wasm 4.22) whose results are wrong, replaced by the cpu kernel:
 * - Conv3DBackpropInputV2: the input gradient of conv3d is wrong (d/dx of a depth-2 all-ones filter over
 *   dy = [1, 2, 3] gives [1, 3, 2, 0], not [1, 3, 5, 3]); test/unit/wasm-kernels.test.ts shows it.
 * (MaxPoolGrad and MaxPool3DGrad are wrong on wasm too; wasmPoolingKernels.ts replaces them natively.)
 */
export const WRONG_WASM_KERNELS = ['Conv3DBackpropInputV2'];

export interface WasmKernelSetup {
  /** Kernels wasm lacked that the debugger added natively, or replaced with a faster or correct one. */
  native: string[];
  /** Kernels served by the cpu backend's kernel (missing on wasm, or wrong there). */
  cpuFallbacks: string[];
  /** Kernels cpu has and wasm still lacks (complex64 ones: see cpuFallbackKernels.ts). */
  missing: string[];
}

/**
 * Registers the debugger's kernels on the 'wasm' backend of `tf` (after '@tensorflow/tfjs-backend-wasm'
 * has been loaded into it). Idempotent. `onFallbackUse` hears every call of a cpu fallback.
 */
export function setUpWasmKernels(tf: Tf, onFallbackUse?: FallbackUse): WasmKernelSetup {
  const native = [
    ...registerWasmGradientKernels(tf, { fastConv2DBackpropInput: true }),
    ...registerWasmSegmentKernels(tf, () => cpuKernelOnWasm(tf, 'UnsortedSegmentSum', onFallbackUse)),
    ...registerWasmPoolingKernels(tf),
    ...registerWasmCastKernel(tf),
    ...registerWasmReductionKernels(tf),
    ...registerWasmLayoutKernels(tf),
    ...registerWasmBinaryKernels(tf),
  ];
  const cpuFallbacks = registerCpuFallbackKernels(tf, { onUse: onFallbackUse, replace: WRONG_WASM_KERNELS });
  return { native, cpuFallbacks, missing: kernelsMissingOn(tf, 'wasm') };
}
