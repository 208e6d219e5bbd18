// Whether a layer's weights train, as every surface says it: the CLI table, the panel and the hover.
import type { LayerCallRecord, LayerInfo } from '../../protocol/report.ts';

export type Trains = 'yes' | 'partly' | 'frozen' | 'no grad' | '—';

export const TRAINS_MEANING: Record<Trains, string> = {
  yes: 'its weights got a gradient in the last recorded call',
  partly: 'some of its weights got a gradient in the last recorded call',
  frozen: 'trainable = false on it, or on a model it runs in',
  'no grad': 'trainable, yet none of its weights got a gradient in the last recorded call',
  '—': 'no weights',
};

/** From the layer's last recorded call (or its own flag when it never ran in one). */
export function trainsOf(record: LayerCallRecord | undefined, layer: LayerInfo): Trains {
  if (!layer.weightCount) return '—';
  if (!record) return layer.trainable ? 'yes' : 'frozen';
  if (record.frozenBy != null || !record.trainable) return 'frozen';
  return record.learns === 'none' ? 'no grad' : record.learns === 'some' ? 'partly' : 'yes';
}
