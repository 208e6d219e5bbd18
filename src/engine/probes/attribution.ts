// Attribution: which layers make the loss inside the gradient call differ from the inference-mode loss.
// Each mode-dependent layer that ran in training mode is replayed alone in training mode, as it ran in the
// call (its recorded kernels: the call's own batch statistics, the call's own dropout mask), with every other
// layer in inference mode and the state from before the call (probes.ts). Its loss against lossBefore is its
// share; what no single layer explains (interactions) is reported as unexplained.
import { lossesDiffer } from '../../model/lossGaps.ts';
import type { AttributionMode } from '../../protocol/runOptions.ts';
import type { Replay } from './replay.ts';
import type { Layer } from '../tfjs.ts';

export interface AttributionContext {
  mode: AttributionMode;
  tolerance: number;
  /** In auto mode, asked once per probed call with a gap: whether to attribute this one. */
  sample: () => boolean;
}

/** Auto mode attributes the first calls with a gap, then every 10th of them: a long run's attribution
 *  rarely changes, and each costs part of a forward pass per attributed layer. */
export function attributionSampler(first = 5, every = 10): () => boolean {
  let seen = 0;
  return () => {
    seen++;
    return seen <= first || seen % every === 0;
  };
}

/** The layers that ran in training mode in the call and whose computation depends on the mode, in order. */
export function attributionCandidates(replay: Replay): Layer[] {
  const layers: Layer[] = [];
  for (const u of replay.layerCalls) if (u.modeDependent && u.training && !layers.includes(u.layer)) layers.push(u.layer);
  return layers;
}

/** The layers to attribute this call's gap to, given lossBefore and lossDuring (read only when needed). */
export function layersToAttribute(ctx: AttributionContext, replay: Replay, before: () => number, during: () => number | null): Layer[] {
  if (ctx.mode === 'off') return [];
  const candidates = attributionCandidates(replay);
  if (candidates.length === 0) return [];
  if (ctx.mode === 'auto' && !(lossesDiffer(during(), before(), ctx.tolerance) && ctx.sample())) return [];
  return candidates;
}
