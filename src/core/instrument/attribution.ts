// Attribution: which layers make the loss inside the gradient call differ from the inference-mode loss.
// For each layer that ran in training mode (and may depend on the mode), the loss closure is re-run with
// only that layer in training mode, from the state before the call: BatchNorm moving statistics are put
// back to their values before the call for the duration, then set to their values after it again.
// A Dropout layer replays the random numbers it drew in the call, so its probe uses the call's own mask.
// Each pass takes the outputs of the layers before the attributed one from the all-inference pass recorded
// before the call (probeCache.ts): from the same state with the same modes they are the same, so a pass
// costs only the part of the forward pass from that layer on.
import type { AttributionMode } from '../../protocol.ts';
import { mayDependOnMode } from '../layerClasses.ts';
import type { CallRecorder } from './callRecorder.ts';
import type { ProbeCache } from './probeCache.ts';
import type { Prober } from './probes.ts';

export interface AttributionContext {
  core: any;
  prober: Prober;
  /** The all-inference pass from before the call, which is where each attribution pass starts from. */
  cache: ProbeCache | null;
  mode: AttributionMode;
  tolerance: number;
  /** In auto mode, asked once per probed call with a gap: whether to attribute this one. */
  sample: () => boolean;
}

/** Auto mode attributes the first calls with a gap, then every 10th of them: a long run's attribution
 *  rarely changes, and each costs one forward pass per attributed layer. */
export function attributionSampler(first = 5, every = 10): () => boolean {
  let seen = 0;
  return () => {
    seen++;
    return seen <= first || seen % every === 0;
  };
}

/** Runs the attribution probes of one gradient call, storing their losses in the recorder. */
export function attributeGap(ctx: AttributionContext, recorder: CallRecorder, closure: () => unknown): void {
  const { core, prober } = ctx;
  const layers = recorder.recordedLayers();
  const candidates = layers.filter((l) => l.training && mayDependOnMode(l.info.className));
  if (ctx.mode === 'off' || candidates.length === 0 || recorder.probes.before == null) return;
  if (ctx.mode === 'auto' && !(gapOverTolerance(ctx, recorder) && ctx.sample())) return;

  const restored = layers.filter((l) => l.movingBefore != null);
  const after = restored.map((l) => [l.layer.movingMean.read(), l.layer.movingVariance.read()].map((v: any) => ({ v, copy: core.keep(core.clone(v)) })));
  try {
    restored.forEach((l) => {
      const [mean, variance] = (l.movingBefore as () => [any, any])();
      l.layer.movingMean.read().assign(mean);
      l.layer.movingVariance.read().assign(variance);
      // The variables now share these tensors' data; dropping our handles leaves it to them.
      mean.dispose();
      variance.dispose();
    });
    recorder.probes.attribution = [];
    for (const c of candidates) {
      const replay = c.draws ? new Map([[c.layer, c.draws]]) : null;
      const reuse = ctx.cache ? { cache: ctx.cache, before: ctx.cache.reusableBefore([c.layer]) } : undefined;
      const loss = prober.run(closure, (layer) => layer === c.layer, { trainingLayers: [c.layer], replay, reuse });
      recorder.probes.attribution.push({ layer: c.info.id, slot: recorder.batch.add(loss) });
    }
  } catch (e) {
    recorder.probes.attribution = null;
    recorder.probes.error = `attribution: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    for (const pair of after) {
      for (const { v, copy } of pair) {
        v.assign(copy);
        copy.dispose();
      }
    }
  }
}

/** Reads lossBefore and lossDuring early (one small sync) to decide whether the gap needs explaining. */
function gapOverTolerance(ctx: AttributionContext, recorder: CallRecorder): boolean {
  const [before, during] = recorder.peekLosses();
  if (before == null || during == null || !Number.isFinite(before) || !Number.isFinite(during)) return false;
  return Math.abs(during - before) > ctx.tolerance * Math.max(1, Math.abs(before));
}
