/**
 * Cast for wasm, as the cpu backend does it:
 * - to bool: true where x != 0 (NaN included);
 * - to its own dtype: the output shares the input's memory, reference-counted, as cpu's does
 *   (tfjs-backend-cpu/dist/kernels/Cast.js returns identity() when nothing is lost). wasm's own allocates
 *   and copies; layers cast to float32 what already is (tfjs-layers' losses and metrics, K.cast).
 *
 * wasm's own Cast copies with TypedArray.set (tfjs-backend-wasm/dist/kernels/Cast.js), which for a bool
 * output truncates and wraps to a byte: 0.5 becomes false, 256 false, -3 the byte 253. cpu casts to bool
 * with x != 0. Every other cast is left to wasm: TypedArray conversion is what cpu does there too.
 */
import type { CastAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './kernelRegistration.ts';
import { asWasm } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

function cast(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (dtype === x.dtype && dtype !== 'string' && dtype !== 'complex64') {
      (args.backend as KernelBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype };
    }
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
