/**
 * Fallback kernels for the 'wasm' backend: for every kernel tfjs's cpu backend has and wasm lacks (and for
 * wasm kernels known to compute wrong results), a wasm kernel that runs the cpu kernel itself on the same
 * data, so its result is the cpu result, bit for bit.
 *
 * How: each wasm input is handed to the cpu backend as a view on the wasm heap (no copy; nothing touches
 * the wasm heap while the cpu kernel runs, so the view cannot be detached by a heap growth), the cpu
 * kernel runs with the cpu backend as its `backend`, and each cpu output is copied into a fresh wasm
 * output. Every cpu-side buffer is freed before returning, so nothing is left on either backend and the
 * engine never sees the cpu side. The cpu backend's one-time "install tfjs-node" console warning (printed
 * on its first write, tfjs-backend-cpu/dist/backend_cpu.js) is held back while a fallback runs, so a
 * script that never used the cpu backend prints nothing new.
 *
 * Not fallen back: kernels with complex64 tensors. The wasm backend has no complex64 storage; a complex
 * tensor created on wasm would reach wasm's own kernels (Add, Slice, Concat, ...), which would read it as
 * float32 and compute wrong numbers silently. A missing-kernel error is the honest outcome there.
 */
import type { DataId, DataType, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { addWasmKernel, replaceWasmKernel } from './kernelRegistration.ts';
import { asWasm, type BackendValues } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/** The part of tfjs-backend-cpu's MathBackendCPU a fallback uses. */
interface CpuBackend {
  firstUse: boolean;
  data: { get(dataId: DataId): { values: BackendValues | null } };
  makeTensorInfo(shape: number[], dtype: DataType, values: BackendValues): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** Kernels whose inputs or outputs are complex64 (tfjs-core's complex ops), which wasm cannot hold. */
export const COMPLEX_KERNELS = new Set(['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT']);

/** Called each time a fallback kernel runs (the report says which ones a run used). */
export type FallbackUse = (kernelName: string) => void;

/** Kernel names the cpu backend has and `backendName` lacks, sorted. From tfjs-core's kernel registry. */
export function kernelsMissingOn(tf: Tf, backendName: string, reference = 'cpu'): string[] {
  const present = new Set(tf.getKernelsForBackend(backendName).map((k) => k.kernelName));
  return tf.getKernelsForBackend(reference).map((k) => k.kernelName).filter((name) => !present.has(name)).sort();
}

function cpuBackendOf(tf: Tf): CpuBackend {
  const cpu = tf.engine().findBackend('cpu') as unknown as CpuBackend | null;
  if (cpu == null) throw new Error('cpuFallbackKernels: the cpu backend is not available in this tfjs');
  return cpu;
}

/** A wasm kernel that runs the cpu backend's `kernelName` on wasm data; null when cpu has no such kernel. */
export function cpuKernelOnWasm(tf: Tf, kernelName: string, onUse?: FallbackUse): KernelFunc | null {
  const cpuKernel = tf.getKernel(kernelName, 'cpu')?.kernelFunc;
  if (cpuKernel == null) return null;
  return ({ inputs, attrs, backend }) => {
    onUse?.(kernelName);
    const wasm = asWasm(backend);
    const cpu = cpuBackendOf(tf);
    const firstUse = cpu.firstUse;
    cpu.firstUse = false;
    const temps: TensorInfo[] = [];
    try {
      // Some kernels take their inputs as an array (Einsum, Concat): keep the container's kind.
      const cpuInputs: Record<string, TensorInfo> = Array.isArray(inputs) ? ([] as unknown as Record<string, TensorInfo>) : {};
      for (const [name, t] of Object.entries(inputs)) {
        if (t == null) continue;
        const values = t.dtype === 'string' ? wasm.readSync(t.dataId) : wasm.typedArrayFromHeap(t);
        cpuInputs[name] = cpu.makeTensorInfo(t.shape, t.dtype, values);
        temps.push(cpuInputs[name]);
      }
      const result = cpuKernel({ inputs: cpuInputs, attrs: attrs as NamedAttrMap, backend: cpu });
      const outs = Array.isArray(result) ? result : [result];
      temps.push(...outs);
      // Copy out anything that still points into the wasm heap (a cpu kernel may pass an input through):
      // allocating the wasm outputs below may grow the heap and detach such views.
      const heap = wasm.wasm.HEAPU8.buffer;
      const values = outs.map((o) => {
        const v = cpu.data.get(o.dataId).values;
        if (v == null) throw new Error(`cpu fallback for ${kernelName}: the cpu kernel returned no values`);
        return !Array.isArray(v) && (v as Float32Array).buffer === heap ? (v as Float32Array).slice() : v;
      });
      const wasmOuts = outs.map((o, i) => {
        if (o.dtype === 'string') return wasm.makeOutput(o.shape, o.dtype, undefined, values[i]);
        const out = wasm.makeOutput(o.shape, o.dtype);
        wasm.typedArrayFromHeap(out).set(values[i] as Float32Array);
        return out;
      });
      return Array.isArray(result) ? wasmOuts : wasmOuts[0];
    } finally {
      for (const t of temps) cpu.disposeData(t.dataId, true);
      cpu.firstUse = firstUse;
    }
  };
}

export interface CpuFallbackOptions {
  onUse?: FallbackUse;
  /** wasm kernels to replace with cpu's even though wasm has them (wasm's compute wrong results). */
  replace?: string[];
}

/**
 * Registers, on 'wasm', a cpu fallback for every kernel the cpu backend has and wasm lacks (complex64
 * kernels excepted, see above), and for each kernel in `replace`. Call it after every wasm kernel of the
 * debugger's own is registered: only the kernels still missing then get a fallback. Returns the names.
 */
export function registerCpuFallbackKernels(tf: Tf, options: CpuFallbackOptions = {}): string[] {
  const registered: string[] = [];
  for (const kernelName of kernelsMissingOn(tf, 'wasm')) {
    if (COMPLEX_KERNELS.has(kernelName)) continue;
    if (addWasmKernel(tf, kernelName, cpuKernelOnWasm(tf, kernelName, options.onUse)!)) registered.push(kernelName);
  }
  for (const kernelName of options.replace ?? []) {
    const fallback = cpuKernelOnWasm(tf, kernelName, options.onUse);
    if (fallback && replaceWasmKernel(tf, kernelName, () => fallback)) registered.push(kernelName);
  }
  return registered;
}
