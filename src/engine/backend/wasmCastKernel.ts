/**
 * Cast to bool for wasm, as the cpu backend does it: true where x != 0 (NaN included).
 *
 * wasm's own Cast copies with TypedArray.set (tfjs-backend-wasm/dist/kernels/Cast.js), which for a bool
 * output truncates and wraps to a byte: 0.5 becomes false, 256 false, -3 the byte 253. cpu casts to bool
 * with x != 0 (tfjs-backend-cpu/dist/kernels/Cast.js). Every other cast is left to wasm: TypedArray
 * conversion is what cpu does there too.
 */
import type { CastAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './kernelRegistration.ts';
import { asWasm } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

function cast(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args);
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(x.shape, 'bool');
    const from = wasm.typedArrayFromHeap(x);
    const to = wasm.typedArrayFromHeap(out);
    for (let i = 0; i < from.length; i++) to[i] = from[i] !== 0 ? 1 : 0;
    return out;
  };
}

export function registerWasmCastKernel(tf: Tf): string[] {
  return replaceWasmKernel(tf, 'Cast', cast) ? ['Cast'] : [];
}
