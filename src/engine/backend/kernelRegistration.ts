/**
 * Registering the debugger's own kernels on the 'wasm' backend of a tfjs instance: adding one the backend
 * lacks, or replacing one it has while keeping the original callable. Both are idempotent: a kernel this
 * module registered is recognised and left alone, so setting up twice registers nothing the second time.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';

type Tf = typeof import('@tensorflow/tfjs-core');

const ours = new WeakSet<KernelFunc>();

/** Registers `kernelFunc` as `kernelName` on wasm when wasm has none. Returns whether it did. */
export function addWasmKernel(tf: Tf, kernelName: string, kernelFunc: KernelFunc): boolean {
  if (tf.getKernel(kernelName, 'wasm') != null) return false;
  ours.add(kernelFunc);
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  return true;
}

/**
 * Replaces wasm's own `kernelName` with `make(original)`. The original's setupFunc and disposeFunc stay
 * registered with the replacement, so a backend initialised later still sets up the original (wasm
 * kernels bind their C++ function in setupFunc). Returns whether it replaced anything.
 */
export function replaceWasmKernel(tf: Tf, kernelName: string, make: (original: KernelFunc) => KernelFunc): boolean {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock == null || ours.has(stock.kernelFunc)) return false;
  const kernelFunc = make(stock.kernelFunc);
  ours.add(kernelFunc);
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc });
  return true;
}
