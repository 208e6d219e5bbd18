// NaN and Inf counts of a gradient call's layer outputs on a batched backend (webgl, webgpu: readback.ts), for one
// reduction per layer call instead of four (isFinite, logicalNot, cast, sum). The screen is the output's sum: it
// is finite whenever every value is (an overflow to Inf only costs the exact count below, which then finds none).
// Each output's data is held until the call's values are read, and only an output whose sum is not finite is
// counted value by value. The hold is a reference on the backend's data, not a tensor: nothing is copied, and
// tf.memory().numTensors stays what the user's code made it, also when the values arrive after the call
// (the deferred strategy). A layer's outputs mostly stay alive for the backward pass anyway.
import type { ReadbackBatch, Slot } from '../readback/readback.ts';
import { nonFiniteTensor } from './layerStats.ts';
import { engineOf, type DataId, type DataType, type KernelBackend, type Tensor, type TfjsCore } from '../tfjs.ts';

interface Held<K> {
  key: K;
  data: { dataId: DataId; shape: number[]; dtype: DataType };
  backend: KernelBackend;
  sum: Slot;
}

export class NonFiniteScreen<K> {
  private readonly held: Held<K>[] = [];
  /** Counts taken at once, where an output's data could not be held. */
  private readonly counted: { key: K; slot: Slot }[] = [];

  constructor(private readonly core: TfjsCore) {}

  /** Screens a float32 output (no other dtype holds NaN or Inf): its sum goes to the batch. Call with the tape off. */
  add(key: K, output: Tensor, batch: ReadbackBatch): void {
    if (output.dtype !== 'float32') return;
    const core = this.core;
    const backend = engineOf(core).state.tensorInfo?.get(output.dataId)?.backend as KernelBackend | undefined;
    if (typeof backend?.incRef !== 'function') {
      this.counted.push({ key, slot: batch.add(core.tidy(() => core.reshape(nonFiniteTensor(core, output), [1]))) });
      return;
    }
    const sum = batch.add(core.tidy(() => core.reshape(core.sum(output), [1])));
    backend.incRef(output.dataId);
    this.held.push({ key, data: { dataId: output.dataId, shape: [...output.shape], dtype: output.dtype }, backend, sum });
  }

  /** After the batch was read: the count per key (keys with none are left out); then the holds are released. The
   *  outputs whose sum is not finite are counted, all in one more read (only then). Call with the tape off. */
  counts(batch: ReadbackBatch): Map<K, number> {
    const counts = new Map<K, number>();
    const add = (key: K, n: number) => {
      if (n > 0) counts.set(key, (counts.get(key) ?? 0) + n);
    };
    for (const { key, slot } of this.counted.splice(0)) add(key, batch.get(slot)[0]);
    const held = this.held.splice(0).map((h) => ({ key: h.key, sum: batch.get(h.sum)[0], tensor: this.release(h) }));
    try {
      const flagged = held.filter(({ sum }) => !Number.isFinite(sum));
      if (!flagged.length) return counts;
      const core = this.core;
      const all = core.tidy(() => core.stack(flagged.map(({ tensor }) => nonFiniteTensor(core, tensor))));
      const values = all.dataSync();
      all.dispose();
      flagged.forEach(({ key }, i) => add(key, values[i]));
    } finally {
      for (const { tensor } of held) tensor.dispose();
    }
    return counts;
  }

  /** Releases the holds (also when the call failed). */
  dispose(): void {
    for (const h of this.held.splice(0)) this.release(h).dispose();
    this.counted.length = 0;
  }

  /** A tensor on a held output's data, which takes the hold over: makeTensorFromTensorInfo tracks a tensor without
   *  a new backend reference, and disposing it releases one (and the engine's record of the data when it was the
   *  last: tfjs-core/src/engine.ts, disposeTensor). */
  private release(h: Held<K>): Tensor {
    return engineOf(this.core).makeTensorFromTensorInfo(h.data, h.backend);
  }
}
