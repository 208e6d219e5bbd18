/**
 * Builds a wasm kernel out of other wasm kernels. The body calls `run(kernel, inputs, attrs)` on backend
 * TensorInfos; every intermediate it creates is disposed when the kernel returns (or throws), so nothing
 * reaches the engine or the gradient tape. `kernel` is a name, looked up in the registry at call time,
 * or a kernel function (the original of a kernel being replaced, which the registry no longer returns).
 */
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

type Tf = typeof import('@tensorflow/tfjs-core');

export type Run = (kernel: string | KernelFunc, inputs: NamedTensorInfoMap, attrs?: object) => TensorInfo;
export type Body = (run: Run, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, backend: KernelBackend) => TensorInfo;

export function composed(tf: Tf, body: Body): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const temps: TensorInfo[] = [];
    const run: Run = (kernel, kernelInputs, kernelAttrs = {}) => {
      const kernelFunc = typeof kernel === 'string' ? tf.getKernel(kernel, 'wasm')?.kernelFunc : kernel;
      if (kernelFunc == null) throw new Error(`composedKernel: the wasm backend has no '${String(kernel)}' kernel`);
      const out = kernelFunc({ inputs: kernelInputs, attrs: kernelAttrs as NamedAttrMap, backend }) as TensorInfo;
      temps.push(out);
      return out;
    };
    try {
      const result = body(run, inputs as Record<string, TensorInfo>, attrs ?? {}, backend as KernelBackend);
      const i = temps.lastIndexOf(result);
      if (i < 0) throw new Error('composedKernel: a composed kernel must return a run() output');
      temps.splice(i, 1);
      return result;
    } finally {
      for (const t of temps) (backend as KernelBackend).disposeData(t.dataId);
    }
  };
}
