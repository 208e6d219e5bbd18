// Batched read-back: the taps keep small tensors (statistics, norms, probe losses) during a gradient call
// and read them all back at its end with one concat and one dataSync. Syncs dominate overhead; one per
// call is the budget.
import type { Tensor } from './tfjsModules.ts';

export type Slot = number;

export class ReadbackBatch {
  private readonly parts: Tensor[] = [];
  private values: number[][] | null = null;

  constructor(private readonly core: any) {}

  /** Keeps t (the batch owns it from now on) and returns the slot its values will come back in. */
  add(t: Tensor): Slot {
    this.core.keep(t);
    this.parts.push(t);
    return this.parts.length - 1;
  }

  /** The kept tensor of a slot, before read(). */
  tensor(slot: Slot): Tensor {
    return this.parts[slot];
  }

  /** Reads every slot with one sync and frees the kept tensors. Call once. */
  read(): void {
    const core = this.core;
    if (this.parts.length === 0) {
      this.values = [];
      return;
    }
    const all = core.tidy(() =>
      core.concat(this.parts.map((p) => core.reshape(p.dtype === 'float32' ? p : core.cast(p, 'float32'), [-1]))),
    );
    const flat: Float32Array = all.dataSync();
    all.dispose();
    this.values = [];
    let offset = 0;
    for (const p of this.parts) {
      this.values.push(Array.from(flat.subarray(offset, offset + p.size)));
      offset += p.size;
    }
    this.dispose();
  }

  get(slot: Slot): number[] {
    if (!this.values) throw new Error('ReadbackBatch.get before read');
    return this.values[slot];
  }

  /** Frees the kept tensors without reading them (used when a call fails). */
  dispose(): void {
    for (const p of this.parts) if (!p.isDisposed) p.dispose();
    this.parts.length = 0;
  }
}
