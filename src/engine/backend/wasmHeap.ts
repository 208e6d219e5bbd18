/**
 * The part of tfjs-backend-wasm's BackendWasm (tfjs-backend-wasm/dist/backend_wasm.js) that kernels written
 * in JavaScript against the wasm heap use: typed-array views on a tensor's memory and fresh outputs. A
 * view is valid until the next allocation (a heap growth detaches it), so take views after allocating.
 */
import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

export type HeapArray = Float32Array | Int32Array | Uint8Array;
export type BackendValues = HeapArray | Uint8Array[];

export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  typedArrayFromHeap(t: TensorInfo): HeapArray;
  readSync(dataId: DataId): BackendValues;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: BackendValues): TensorInfo;
}

export function asWasm(backend: KernelBackend | object): WasmBackend {
  return backend as unknown as WasmBackend;
}
