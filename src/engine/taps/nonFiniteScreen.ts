// NaN and Inf counts of a gradient call's layer outputs on a batched backend (webgl, webgpu: readback.ts), for one
// reduction per layer call instead of four (isFinite, logicalNot, cast, sum). The screen is the output's sum: it
// is finite whenever every value is (an overflow to Inf only costs the exact count below, which then finds none).
// Each output is held as a clone until the call's values are read (no copy: a clone shares its data, tfjs-core
// engine.ts makeTensorFromTensorInfo), and only an output whose sum is not finite is counted value by value. A
// layer's outputs mostly stay alive for the backward pass anyway, so holding them to the end of the call adds
// little memory.
import type { ReadbackBatch, Slot } from '../readback/readback.ts';
import { nonFiniteTensor } from './layerStats.ts';
import type { Tensor, TfjsCore } from '../tfjs.ts';

export class NonFiniteScreen<K> {
  private readonly held: { key: K; tensor: Tensor; sum: Slot }[] = [];

  constructor(private readonly core: TfjsCore) {}

  /** Screens a float32 output (no other dtype holds NaN or Inf): its sum goes to the batch. Call with the tape off. */
  add(key: K, output: Tensor, batch: ReadbackBatch): void {
    if (output.dtype !== 'float32') return;
    const core = this.core;
    const sum = batch.add(core.tidy(() => core.reshape(core.sum(output), [1])));
    this.held.push({ key, tensor: core.keep(core.clone(output)), sum });
  }

  /** After the batch was read: the count per key (keys with none are left out); then the clones are freed. The
   *  outputs whose sum is not finite are counted, all in one more read (only then). Call with the tape off. */
  counts(batch: ReadbackBatch): Map<K, number> {
    const counts = new Map<K, number>();
    try {
      const flagged = this.held.filter(({ sum }) => !Number.isFinite(batch.get(sum)[0]));
      if (!flagged.length) return counts;
      const core = this.core;
      const all = core.tidy(() => core.stack(flagged.map(({ tensor }) => nonFiniteTensor(core, tensor))));
      const values = all.dataSync();
      all.dispose();
      flagged.forEach(({ key }, i) => {
        if (values[i] > 0) counts.set(key, (counts.get(key) ?? 0) + values[i]);
      });
    } finally {
      this.dispose();
    }
    return counts;
  }

  /** Frees the clones (also when the call failed). */
  dispose(): void {
    for (const { tensor } of this.held) if (!tensor.isDisposed) tensor.dispose();
    this.held.length = 0;
  }
}
