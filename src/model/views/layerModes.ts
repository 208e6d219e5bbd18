// The mode a layer ran in, as every surface says it: inside gradient calls (from the run's layer totals, which
// count every call, kept or not) and outside them (predict, evaluate, a bare apply).
import type { LayerInfo, LayerTotals, Mode } from '../../protocol/report.ts';
import { plural } from '../format.ts';

export type ModeCounts = Pick<LayerTotals, 'training' | 'inference' | 'mixed'>;

const MODES = ['training', 'inference', 'mixed'] as const;
const NONE: ModeCounts = { training: 0, inference: 0, mixed: 0 };

/** Gradient calls the layer ran in. */
export function callsInside(counts: ModeCounts | undefined): number {
  const c = counts ?? NONE;
  return c.training + c.inference + c.mixed;
}

/** The one mode a layer ran in inside gradient calls, 'mixed' when it varied, null when it never ran there. */
export function modeInside(counts: ModeCounts | undefined): Mode | null {
  const kinds = MODES.filter((m) => (counts ?? NONE)[m] > 0);
  if (kinds.length === 0) return null;
  return kinds.length === 1 ? kinds[0] : 'mixed';
}

/** "training (all 3 recorded calls)", or "training in 2 calls, inference in 1 call". */
export function modeInsideText(counts: ModeCounts | undefined): string {
  const c = counts ?? NONE;
  const total = callsInside(c);
  if (total === 0) return 'not called';
  const parts = MODES.filter((m) => c[m] > 0);
  if (parts.length === 1) return `${parts[0]} (${total === 1 ? 'the one recorded call' : `all ${total} recorded calls`})`;
  return parts.map((m) => `${m} in ${plural(c[m], 'call')}`).join(', ');
}

/** Calls outside gradient calls. */
export function callsOutside(layer: LayerInfo): number {
  return layer.outsideCalls.training + layer.outsideCalls.inference;
}

/** The mode of the layer's calls outside gradient calls, 'mixed' when both, null when none. */
export function modeOutside(layer: LayerInfo): Mode | null {
  const { training, inference } = layer.outsideCalls;
  return training && inference ? 'mixed' : training ? 'training' : inference ? 'inference' : null;
}

/** "training ×2, inference ×1", or "not called". */
export function modeOutsideText(layer: LayerInfo): string {
  const { training, inference } = layer.outsideCalls;
  if (training + inference === 0) return 'not called';
  return [training ? `training ×${training}` : '', inference ? `inference ×${inference}` : ''].filter(Boolean).join(', ');
}
