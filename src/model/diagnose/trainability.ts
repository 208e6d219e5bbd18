// What the trainability rules share: where the script froze a layer (the `trainable = false` assignment the
// debugger saw on it or on a model it runs in).
import type { LayerInfo, SourceLocation, TrainableChange } from '../../protocol/report.ts';
import { place } from '../format.ts';

/** The last `trainable = false` assignment on the layer itself, if the debugger saw one. */
export function freezingOf(layer: LayerInfo | undefined): TrainableChange | null {
  const changes = layer?.trainableChanges ?? [];
  for (let i = changes.length - 1; i >= 0; i--) if (!changes[i].value) return changes[i];
  return null;
}

/** The layer, or the nearest model it runs in, whose `trainable = false` the debugger saw, with that change. */
export function frozenThrough(layers: Map<number, LayerInfo>, id: number): { layer: LayerInfo; change: TrainableChange } | null {
  const seen = new Set<number>();
  const queue = [id];
  while (queue.length) {
    const current = queue.shift() as number;
    if (seen.has(current)) continue;
    seen.add(current);
    const layer = layers.get(current);
    const change = freezingOf(layer);
    if (layer && change) return { layer, change };
    queue.push(...(layer?.parents ?? []));
  }
  return null;
}

/** "`discriminator.trainable = false` at gan.js:120". */
export function assignment(layer: LayerInfo, change: { source: SourceLocation | null }): string {
  return `${layer.name}.trainable = false${change.source ? ` at ${place(change.source)}` : ''}`;
}
