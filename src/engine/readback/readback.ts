// Read-back of what the taps measure during one gradient call: statistics, norms and probe losses.
// The cheapest way depends on where the backend keeps its tensors, so the batch has three strategies:
// - immediate (cpu, wasm, tfjs-node: host memory). A read is a memory copy, so each value is read the moment
//   it exists, reductions run in JavaScript (hostReductions.ts) and nothing is kept across the call.
// - batched (webgl, webgpu and anything else). A read waits for the device, so the taps reduce on the
//   backend, keep the small results, and read them all with one concat and one dataSync when the call ends.
// - deferred (webgl in a page): batched, but the reads do not wait. A dataSync in the middle of a training
//   step stalls the pipeline twice (the device drains while JavaScript waits, then idles while the rest of the
//   step is queued); data() lets the step go on, and the call's record is built when the values arrive (but a
//   page's first call's, whose frame is long anyway: readAtOnce). What only a probed call reads is read a tensor
//   at a time, each decoded by one program per rank and layout.
// On the batched strategies a statistic of a small tensor (a layer's output statistics, a gradient's norm) is not
// reduced on the device: the tensor goes into the one read whole and is reduced in JavaScript. Every reduction
// of a new size is a shader to compile (a dozen for one output's statistics), and on webgl the first recorded
// call then compiled about a hundred, seconds of the page's first frame on a software GPU. A kept copy costs
// nothing (a clone shares the texture), and the concat compiles once per call shape.
import type { Values } from './hostReductions.ts';
import { wrapData } from '../probes/heldTensors.ts';
import { engineOf, type DataId, type DataType, type KernelBackend, type Tensor, type TfjsCore } from '../tfjs.ts';

export type Slot = number;
/** Values read back (a concat's are float32; a tensor read alone comes in its own dtype). */
type Flat = Float32Array | Int32Array | Uint8Array;
export type ReadStrategy = 'immediate' | 'batched' | 'deferred';

const HOST_MEMORY_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** Elements one batched read carries whole, to reduce in JavaScript (1 MB of float32). */
export const HOST_REDUCED_ELEMENTS = 1 << 18;

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

const SHAPE_UNIFORMS = 'WEBGL_USE_SHAPES_UNIFORMS';

/**
 * Runs fn, which starts reads, with webgl's shape uniforms on: a read's decode program then takes the tensor's
 * shape as a uniform, so one program serves every shape of a rank and layout (tfjs-backend-webgl/src/
 * gpgpu_math.ts, makeShaderKey; decode_matrix_gpu.ts) instead of one per shape. On the bench page the first
 * probed call's reads compiled 15 decode programs, each a stall of 20 ms or more in the page's first frame on a
 * software GPU. The flag is on only while fn runs: a read's decode runs before the read's first await
 * (backend_webgl.ts, read), and no code of the page's runs meanwhile, so no program of the page's is compiled
 * under it. Elsewhere (no webgl backend registered the flag) fn runs as it is.
 */
function withShapeUniforms<T>(core: TfjsCore, fn: () => T): T {
  const env = core.env();
  let was: boolean;
  try {
    was = env.getBool(SHAPE_UNIFORMS);
  } catch {
    return fn();
  }
  env.set(SHAPE_UNIFORMS, true);
  try {
    return fn();
  } finally {
    env.set(SHAPE_UNIFORMS, was);
  }
}

export class ReadbackBatch {
  /** Kept tensors (batched), or null where the values are already here. */
  private readonly parts: (Tensor | null)[] = [];
  private readonly shapes: number[][] = [];
  private readonly values: (number[] | Flat | null)[] = [];
  /** Slots kept as read, in a typed array of their own (addData's: the cross-backend check's inputs and outputs,
   *  millions of values, which an array of numbers would take long to copy into). */
  private readonly whole = new Set<Slot>();
  /** For a slot kept whole: what reduces its values once read. */
  private readonly reducers = new Map<Slot, (v: Values) => number[]>();
  private hostElements = HOST_REDUCED_ELEMENTS;
  /** Slots only a probed call reads (see occasional()). */
  private readonly occasionalSlots = new Set<Slot>();

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

  /** A copy of data the engine holds (a held tensor's, a variable's earlier data), as it is now: all of it, or its
   *  first `rows` rows (along the first axis: a batch's first examples). */
  addData(data: { dataId: DataId; shape: number[]; dtype: DataType }, rows = data.shape[0]): Slot {
    const engine = engineOf(this.core);
    const part = rows != null && rows < data.shape[0];
    const shape = part ? [rows, ...data.shape.slice(1)] : [...data.shape];
    let slot: Slot;
    if (this.immediate) {
      this.shapes.push(shape);
      this.parts.push(null);
      // A copy: the cpu backend hands back its own array.
      this.values.push((engine.readSync(data.dataId) as Flat).slice(0, this.core.util.sizeFromShape(shape)));
      slot = this.parts.length - 1;
    } else {
      const backend = engine.state.tensorInfo.get(data.dataId)?.backend as KernelBackend;
      const whole = wrapData(engine, data.dataId, data.shape, data.dtype, backend);
      if (part) {
        slot = this.add(this.core.slice(whole, 0, rows));
        whole.dispose();
      } else {
        slot = this.add(whole);
      }
    }
    this.whole.add(slot);
    return slot;
  }

  /** A reduction of t (t stays its owner's): in JavaScript where t's values are at hand or t fits in what the
   *  read carries whole, else on the device. */
  addReduced(t: Tensor, onDevice: (t: Tensor) => Tensor, onHost: (v: Values) => number[]): Slot {
    if (this.immediate) return this.addValues(onHost(transientValues(this.core, t)));
    if (t.size > this.hostElements) return this.add(onDevice(t));
    this.hostElements -= t.size;
    const slot = this.add(this.core.clone(t));
    this.reducers.set(slot, onHost);
    return slot;
  }

  /** Marks a slot only a probed call reads (its statistics, norms and probe losses). A read that holds some
   *  reads the others first, on their own: their concat and download are then the programs the calls that are not
   *  probed use, compiled in this call (on webgl the first call's frame compiles the page's own programs too)
   *  rather than in the next. */
  occasional(slot: Slot): Slot {
    this.occasionalSlots.add(slot);
    return slot;
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
    const t = this.concat(pending);
    let read = new Map<Slot, number[] | Flat>();
    if (t) {
      const flat = t.dataSync<'float32'>();
      t.dispose();
      read = this.split(pending, flat);
    }
    return slots.map((s) => (read.get(s) ?? (this.values[s] as number[] | Flat))[0]);
  }

  /** Reads every kept slot (with one sync, or two when it holds occasional ones) and frees the kept tensors. Call
   *  once. */
  read(): void {
    for (const group of this.groups()) {
      const all = this.concat(group) as Tensor;
      const flat = all.dataSync<'float32'>();
      all.dispose();
      this.fill(group, flat);
    }
    this.dispose();
  }

  /** Like read(), without waiting for the device: the values are here when the promise resolves. Everything kept
   *  is freed at once, so the live tensors count as they would without the debugger (see readStrategyFor). */
  async readWithoutWaiting(): Promise<void> {
    const reads = this.startReads((t) => t.data() as Promise<Flat>);
    const values = await Promise.all(reads.map((r) => r.values));
    reads.forEach(({ group }, i) => this.fill(group, values[i]));
  }

  /** The deferred strategy's reads, made waiting: for a call whose frame is long anyway (a page's first, which
   *  compiles the page's programs), where values that arrive in the next frame would lengthen that one instead. */
  readAtOnce(): void {
    for (const { group, values } of this.startReads((t) => t.dataSync() as Flat)) this.fill(group, values);
  }

  /** Starts the deferred strategy's reads and frees what is kept. Occasional slots are read each on its own:
   *  with no wait, one read per tensor costs nothing more than one for all, and on webgl it compiles fewer
   *  programs (a decode per tensor shape, where the concat took a reshape and an unpack per packed tensor and a
   *  concat program per few inputs). */
  private startReads<V>(read: (t: Tensor) => V): { group: Slot[]; values: V }[] {
    const reads = this.groups().flatMap((group) => {
      if (this.occasionalSlots.has(group[0])) {
        return withShapeUniforms(this.core, () => group.map((slot) => ({ group: [slot], values: read(this.parts[slot] as Tensor) })));
      }
      const all = this.concat(group) as Tensor;
      const values = read(all);
      all.dispose();
      return [{ group, values }];
    });
    this.dispose();
    return reads;
  }

  /** The kept slots in the groups they are read in: the occasional ones apart, when there are others. */
  private groups(): Slot[][] {
    const kept = this.kept();
    const occasional = kept.filter((slot) => this.occasionalSlots.has(slot));
    if (!kept.length) return [];
    return occasional.length && occasional.length < kept.length
      ? [kept.filter((slot) => !this.occasionalSlots.has(slot)), occasional]
      : [kept];
  }

  /** The slots whose tensors are kept. */
  private kept(): Slot[] {
    return this.parts.flatMap((p, slot) => (p ? [slot] : []));
  }

  /** These kept slots' values in one flat float32 tensor (the caller owns it), or null for none. */
  private concat(slots: Slot[]): Tensor | null {
    if (!slots.length) return null;
    const core = this.core;
    return core.tidy(() => core.concat(slots.map((slot) => {
      const p = this.parts[slot] as Tensor;
      return core.reshape(p.dtype === 'float32' ? p : core.cast(p, 'float32'), [-1]);
    })));
  }

  private fill(slots: Slot[], flat: Flat): void {
    for (const [slot, values] of this.split(slots, flat)) {
      this.values[slot] = values;
      if (this.reducers.has(slot)) this.shapes[slot] = [values.length];
    }
  }

  /** Each slot's values from the flat read of these slots, reduced where the slot was kept whole. */
  private split(slots: Slot[], flat: Flat): Map<Slot, number[] | Flat> {
    const values = new Map<Slot, number[] | Flat>();
    let offset = 0;
    for (const slot of slots) {
      const size = this.core.util.sizeFromShape(this.shapes[slot]);
      const part = flat.subarray(offset, offset + size);
      const reduce = this.reducers.get(slot);
      // A copy of its own: a read may hand back the backend's cached values (a whole slot's go to a worker).
      values.set(slot, reduce ? reduce(part) : this.whole.has(slot) ? part.slice() : Array.from(part));
      offset += size;
    }
    return values;
  }

  get(slot: Slot): number[] {
    const v = this.values[slot];
    if (!v) throw new Error('ReadbackBatch.get before read');
    if (!Array.isArray(v)) throw new Error('ReadbackBatch.get of an addData slot: getWhole()');
    return v;
  }

  /** An addData slot's values, typed as they were read (float32 when read with others), in an array of their
   *  own. */
  getWhole(slot: Slot): Flat {
    const v = this.values[slot];
    if (!v || Array.isArray(v)) throw new Error('ReadbackBatch.getWhole before read, or of a slot not from addData');
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
