/**
 * wasm's element-wise binary kernels (Add, Sub, Multiply, Greater, …), calling the same C++ function with
 * less JavaScript around it.
 *
 * wasm's own (tfjs-backend-wasm/dist/kernels/binary_kernel.js) passes the two shapes through emscripten's
 * ccall as 'array' arguments, each made as new Uint8Array(new Int32Array(shape).buffer): V8 keeps a small
 * typed array inside its own heap and must move it out to hand over its .buffer (0.33 µs against 0.08 µs
 * without, measured here), then ccall copies it onto the wasm stack. On the small tensors of a Dense layer
 * or an RNN cell that glue is most of the kernel: tf.mul of two [32, 6] tensors took 4.2 µs, 2.0 µs
 * called directly (cpu: 4.4 µs). Here the shapes are written into a scratch block on the wasm heap,
 * allocated once per backend, and the C++ export is called with its address. Same function, same
 * arguments, same result (test/unit/wasm-kernels.test.ts compares every kernel with wasm's own).
 * The runner takes tfjs 4.x only (src/runner/resolveTfjs.ts); tfjs-backend-wasm 4.0.0, 4.10.0 and 4.22.0
 * (and 3.21.0) hand every broadcast to the C++ as this does. Early 2.x versions refused some in JavaScript.
 */
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './kernelRegistration.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

/** Kernels built by wasm's createBinaryKernelConfig, with the dtype of their output when it is fixed. */
const BINARY_KERNELS: Record<string, DataType | undefined> = {
  Add: undefined, Atan2: undefined, BitwiseAnd: undefined, FloorDiv: undefined, Maximum: undefined, Minimum: undefined,
  Mod: undefined, Multiply: undefined, Pow: undefined, RealDiv: undefined, SquaredDifference: undefined, Sub: undefined,
  Equal: 'bool', Greater: 'bool', GreaterEqual: 'bool', Less: 'bool', LessEqual: 'bool', LogicalAnd: 'bool',
  LogicalOr: 'bool', LogicalXor: 'bool', NotEqual: 'bool',
};

/** tfjs-backend-wasm/dist/kernels/types.js (CppDType). */
const CPP_DTYPE: Partial<Record<DataType, number>> = { float32: 0, int32: 1, bool: 2 };

/** Room for each operand's shape in the scratch block; a higher rank goes to wasm's own kernel. */
const MAX_RANK = 16;

interface BinaryWasmBackend {
  wasm: Record<string, unknown> & { HEAP32?: Int32Array; _malloc(bytes: number): number };
  dataIdMap: { get(dataId: object): { id: number } };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

type Export = (aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, dtype: number, outId: number) => void;

const scratchOf = new WeakMap<object, number>();

function scratch(backend: BinaryWasmBackend): number {
  let at = scratchOf.get(backend);
  if (at === undefined) {
    at = backend.wasm._malloc(2 * MAX_RANK * 4) >>> 0;
    scratchOf.set(backend, at);
  }
  return at;
}

function binary(tf: Tf, kernelName: string, outDtype: DataType | undefined, original: KernelFunc): KernelFunc {
  const exportName = `_${kernelName}`; // emscripten's name of the C++ function
  return (args) => {
    const { a, b } = args.inputs as Record<string, TensorInfo>;
    const backend = args.backend as unknown as BinaryWasmBackend;
    const cppDtype = CPP_DTYPE[a.dtype];
    const call = backend.wasm[exportName] as Export | undefined;
    const direct = cppDtype !== undefined && call !== undefined && backend.wasm.HEAP32 !== undefined;
    if (!direct || a.shape.length > MAX_RANK || b.shape.length > MAX_RANK) return original(args);
    const out = backend.makeOutput(tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape), outDtype ?? a.dtype);
    if (tf.util.sizeFromShape(out.shape) === 0) return out;
    const shapes = scratch(backend);
    const heap = backend.wasm.HEAP32!; // after the allocations: a heap growth replaces the view
    heap.set(a.shape, shapes >>> 2);
    heap.set(b.shape, (shapes >>> 2) + MAX_RANK);
    const ids = backend.dataIdMap;
    call(ids.get(a.dataId).id, shapes, a.shape.length, ids.get(b.dataId).id, shapes + MAX_RANK * 4, b.shape.length, cppDtype, ids.get(out.dataId).id);
    return out;
  };
}

/** Replaces wasm's binary kernels; returns the names replaced. */
export function registerWasmBinaryKernels(tf: Tf): string[] {
  return Object.entries(BINARY_KERNELS)
    .filter(([name, dtype]) => replaceWasmKernel(tf, name, (original) => binary(tf, name, dtype, original)))
    .map(([name]) => name);
}
