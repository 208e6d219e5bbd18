// Keeps the data of tensors a gradient call computed alive after tfjs disposed them, so that probes can replay
// the call from it, without making tensors the user could count.
//
// A hold is one more reference on the tensor's data in its backend (KernelBackend.incRef). tfjs counts
// tensors per Tensor object (engine.state.numTensors, numBytes: tfjs-core/src/engine.ts, trackTensor and
// disposeTensor), so a hold changes neither; only numDataBuffers stays up while a held tensor has no other
// owner. When the user's tensors are disposed, the backend keeps the data (disposeData returns false while a
// reference is left), and the engine keeps its tensorInfo; release() gives the reference back and, when it was
// the last, removes the data id from the engine as disposeTensor would.
import type { DataId, DataType, Engine, KernelBackend, Tensor } from '../tfjs.ts';

interface Held {
  dataId: DataId;
  shape: number[];
  dtype: DataType;
  backend: KernelBackend;
  bytes: number;
}

export class HeldTensors {
  private readonly held = new Map<number, Held>();
  private heldBytes = 0;

  constructor(private readonly engine: Engine) {}

  get bytes(): number {
    return this.heldBytes;
  }

  has(id: number): boolean {
    return this.held.has(id);
  }

  /** Holds t's data under t's id. False when it cannot (already disposed, or a complex or string tensor). */
  hold(t: Tensor): boolean {
    if (this.held.has(t.id)) return true;
    if (t.isDisposed || t.dtype === 'complex64' || t.dtype === 'string') return false;
    const backend = this.engine.state.tensorInfo.get(t.dataId)?.backend;
    if (!backend || typeof backend.incRef !== 'function') return false;
    backend.incRef(t.dataId);
    const bytes = t.size * 4;
    this.held.set(t.id, { dataId: t.dataId, shape: [...t.shape], dtype: t.dtype, backend, bytes });
    this.heldBytes += bytes;
    return true;
  }

  /** The held data of a tensor, or undefined. */
  info(id: number): { dataId: object; shape: number[]; dtype: string } | undefined {
    return this.held.get(id);
  }

  /** A new tensor on the held data, tracked in the current tidy scope like any kernel output. */
  tensor(id: number): Tensor {
    const h = this.held.get(id);
    if (!h) throw new Error(`replay: tensor ${id} is not held`);
    return wrapData(this.engine, h.dataId, h.shape, h.dtype, h.backend);
  }

  release(id: number): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    this.heldBytes -= h.bytes;
    releaseData(this.engine, h.dataId, h.backend);
  }

  releaseAll(): void {
    for (const id of [...this.held.keys()]) this.release(id);
  }
}

/** A Tensor on existing data, owning one reference to it (so that disposing it gives that one back). */
export function wrapData(engine: Engine, dataId: DataId, shape: number[], dtype: DataType, backend: KernelBackend): Tensor {
  const t = engine.makeTensorFromTensorInfo({ dataId, shape, dtype }, backend);
  backend.incRef(dataId);
  return t;
}

/** Gives back one reference to data held with backend.incRef. */
export function releaseData(engine: Engine, dataId: DataId, backend: KernelBackend): void {
  if (backend.disposeData(dataId)) engine.removeDataId(dataId, backend);
}
