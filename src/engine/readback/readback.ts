// Read-back of what the taps measure during one gradient call: statistics, norms and probe losses.
// The cheapest way depends on where the backend keeps its tensors, so the batch has two strategies:
// - immediate (cpu, wasm, tfjs-node: host memory). A read is a memory copy, so each value is read the moment
//   it exists, reductions run in JavaScript (hostReductions.ts) and nothing is kept across the call.
// - batched (webgl, webgpu and anything else). A read waits for the device, so the taps reduce on the
//   backend, keep the small results, and read them all with one concat and one dataSync when the call ends.
// - deferred (webgl in a page): batched, but the one read does not wait. A dataSync in the middle of a training
//   step stalls the pipeline twice (the device drains while JavaScript waits, then idles while the rest of the
//   step is queued); data() lets the step go on, and the call's record is built when the values arrive.
import type { DataId, Tensor, TfjsCore } from '../tfjs.ts';

export type Slot = number;
export type ReadStrategy = 'immediate' | 'batched' | 'deferred';

const HOST_MEMORY_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** What transientValues reads of tfjs-backend-wasm's backend (its own fields; absent on any other backend). */
interface WasmBackendInternals {
  dataIdMap?: { get?(dataId: DataId): { dtype: string; memoryOffset: number } | undefined };
  wasm?: { HEAPU8: Uint8Array };
}

/** The cheaper strategy for the backend in use; `deferred` where asked for and known to be safe: webgl keeps a
 *  texture whose read is pending until the read completes, however early its tensor is disposed
 *  (tfjs-backend-webgl/src/backend_webgl.ts: read sets pendingRead before its first await, disposeData defers). */
export function readStrategyFor(core: TfjsCore, deferWhereSafe = false): ReadStrategy {
  const backend = String(core.getBackend?.());
  if (HOST_MEMORY_BACKENDS.has(backend)) return 'immediate';
  return deferWhereSafe && backend === 'webgl' ? 'deferred' : 'batched';
}

/**
 * A tensor's values on a host-memory backend, to reduce at once and not keep. On wasm this is a view on the
 * module's heap instead of a copy (BackendWasm.readSync slices HEAPU8 at the tensor's memoryOffset:
 * tfjs-backend-wasm/src/backend_wasm.ts); the view is only valid until the next wasm allocation. Anywhere
 * else it is dataSync (the cpu backend hands back its own array: tfjs-backend-cpu/src/backend_cpu.ts).
 */
export function transientValues(core: TfjsCore, t: Tensor): ArrayLike<number> {
  const backend = core.engine().state.tensorInfo?.get(t.dataId)?.backend as WasmBackendInternals | undefined;
  const info = backend?.dataIdMap?.get?.(t.dataId);
  const heap = backend?.wasm?.HEAPU8;
  if (heap && info?.dtype === 'float32' && Number.isInteger(info.memoryOffset) && info.memoryOffset % 4 === 0 &&
      info.memoryOffset + t.size * 4 <= heap.byteLength) {
    return new Float32Array(heap.buffer, heap.byteOffset + info.memoryOffset, t.size);
  }
  return t.dataSync() as ArrayLike<number>;
}

export class ReadbackBatch {
  /** Kept tensors (batched), or null where the values are already here. */
  private readonly parts: (Tensor | null)[] = [];
  private readonly shapes: number[][] = [];
  private readonly values: (number[] | null)[] = [];

  constructor(private readonly core: TfjsCore, readonly strategy: ReadStrategy) {}

  get immediate(): boolean {
    return this.strategy === 'immediate';
  }

  /** Takes ownership of t and returns the slot its values will come back in. */
  add(t: Tensor): Slot {
    this.shapes.push([...t.shape]);
    if (this.immediate) {
      this.values.push(Array.from(t.dataSync() as ArrayLike<number>));
      this.parts.push(null);
      t.dispose();
    } else {
      this.core.keep(t);
      this.parts.push(t);
      this.values.push(null);
    }
    return this.parts.length - 1;
  }

  /** A copy of t's values as they are now; t stays its owner's. */
  addCopyOf(t: Tensor): Slot {
    if (this.immediate) return this.addValues(t.dataSync() as ArrayLike<number>, [...t.shape]);
    return this.add(this.core.clone(t));
  }

  /** Values computed in JavaScript. */
  addValues(v: ArrayLike<number>, shape: number[] = [v.length]): Slot {
    this.shapes.push(shape);
    this.parts.push(null);
    this.values.push(Array.from(v));
    return this.parts.length - 1;
  }

  /** A new tensor with a slot's values (the caller owns it), before or after read(). */
  tensor(slot: Slot): Tensor {
    const kept = this.parts[slot];
    if (kept && !kept.isDisposed) return this.core.clone(kept);
    return this.core.tensor(this.get(slot), this.shapes[slot], 'float32');
  }

  /** The first value of each slot now, before read(): one small sync for the batched strategy. */
  peek(slots: Slot[]): number[] {
    const pending = slots.filter((s) => this.values[s] == null);
    if (pending.length) {
      const core = this.core;
      const t = core.tidy(() => core.concat(pending.map((s) => core.reshape(this.parts[s] as Tensor, [-1]))));
      const flat = t.dataSync<'float32'>();
      t.dispose();
      let offset = 0;
      const firsts = new Map<Slot, number>();
      for (const s of pending) {
        firsts.set(s, flat[offset]);
        offset += (this.parts[s] as Tensor).size;
      }
      return slots.map((s) => firsts.get(s) ?? (this.values[s] as number[])[0]);
    }
    return slots.map((s) => (this.values[s] as number[])[0]);
  }

  /** Reads every kept slot with one sync and frees the kept tensors. Call once. */
  read(): void {
    const all = this.concatKept();
    if (all) {
      const flat = all.tensor.dataSync<'float32'>();
      all.tensor.dispose();
      this.fill(all.kept, flat);
    }
    this.dispose();
  }

  /** Like read(), without waiting for the device: the values are here when the promise resolves. Everything kept
   *  is freed at once, so the live tensors count as they would without the debugger (see readStrategyFor). */
  async readWithoutWaiting(): Promise<void> {
    const all = this.concatKept();
    if (!all) {
      this.dispose();
      return;
    }
    const pending = all.tensor.data<'float32'>();
    all.tensor.dispose();
    this.dispose();
    this.fill(all.kept, await pending);
  }

  /** The kept slots' values in one flat float32 tensor (the caller owns it), or null when nothing is kept. */
  private concatKept(): { tensor: Tensor; kept: { size: number; slot: Slot }[] } | null {
    const core = this.core;
    const kept = this.parts.map((p, slot) => ({ p, slot })).filter((k): k is { p: Tensor; slot: number } => k.p != null);
    if (!kept.length) return null;
    const tensor = core.tidy(() =>
      core.concat(kept.map(({ p }) => core.reshape(p.dtype === 'float32' ? p : core.cast(p, 'float32'), [-1]))),
    );
    return { tensor, kept: kept.map(({ p, slot }) => ({ size: p.size, slot })) };
  }

  private fill(kept: { size: number; slot: Slot }[], flat: Float32Array): void {
    let offset = 0;
    for (const { size, slot } of kept) {
      this.values[slot] = Array.from(flat.subarray(offset, offset + size));
      offset += size;
    }
  }

  get(slot: Slot): number[] {
    const v = this.values[slot];
    if (!v) throw new Error('ReadbackBatch.get before read');
    return v;
  }

  /** Frees the kept tensors without reading them (used when a call fails). */
  dispose(): void {
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i];
      if (p && !p.isDisposed) p.dispose();
      this.parts[i] = null;
    }
  }
}
