// Layer outputs of one probe pass, kept so that later passes of the same probed call can skip the layers
// whose outputs cannot have changed. Every pass runs the same closure on the same input with the same
// weights, and differs from the recorded all-inference pass only from a known layer on: the first layer in
// training mode (an attribution probe), or the first layer whose state the gradient call changed (the loss
// after the call). Layers run in dependency order, so every layer call before that one sees the same inputs
// and gives the same output; a pass takes those from here instead of computing them again.
// Calls are matched by position in the pass and checked by layer identity; any doubt means compute.
import type { Layer, Tensor } from './tfjsModules.ts';

/** Kept outputs stop here; later layers are computed in every pass. */
export const PROBE_CACHE_MAX_BYTES = 256 * 2 ** 20;

interface Entry {
  layer: Layer;
  output: Tensor | null;
}

export class ProbeCache {
  private readonly entries: Entry[] = [];
  private bytes = 0;
  private full = false;

  constructor(private readonly core: any, private readonly maxBytes = PROBE_CACHE_MAX_BYTES) {}

  /** Keeps the output of the layer call at this position of the recording pass. */
  record(position: number, layer: Layer, out: unknown): void {
    if (this.full || position !== this.entries.length) {
      this.full = true;
      return;
    }
    const cacheable = out instanceof this.core.Tensor && (out as Tensor).dtype !== 'string';
    const size = cacheable ? (out as Tensor).size * 4 : 0;
    if (this.bytes + size > this.maxBytes) {
      this.full = true;
      return;
    }
    this.bytes += size;
    this.entries.push({ layer, output: cacheable ? this.core.keep(out) : null });
  }

  /** The kept output for the layer call at this position, or null: compute it. */
  lookup(position: number, layer: Layer): Tensor | null {
    const e = this.entries[position];
    return e && e.layer === layer && e.output && !e.output.isDisposed ? e.output : null;
  }

  /**
   * How many leading positions a pass may reuse when it first differs from the recorded pass at any of
   * these layers: the first recorded position of one of them. A layer the recording never reached
   * limits nothing when the recording stopped early (it comes later), and forbids reuse otherwise.
   */
  reusableBefore(layers: Layer[]): number {
    let until = this.entries.length;
    for (const layer of layers) {
      const position = this.entries.findIndex((e) => e.layer === layer);
      if (position >= 0) until = Math.min(until, position);
      else if (!this.full) return 0;
    }
    return until;
  }

  dispose(): void {
    for (const e of this.entries) if (e.output && !e.output.isDisposed) e.output.dispose();
    this.entries.length = 0;
  }
}
