// Probes re-run a loss closure outside the gradient call, with the layers' modes forced, to get the loss the
// same weights and input give in inference mode. Every probe: no tape, inside tidy, BatchNormalization
// moving statistics snapshotted and restored exactly when a layer runs in training mode, its own seeded
// random stream and a silent console (probeEnvironment.ts). The user's training sees none of it.
import { isolated, withTapeOff } from './probeEnvironment.ts';
import { isBatchNormalization } from './layerStats.ts';
import { layerClassName } from './layerRegistry.ts';
import type { ProbeCache } from './probeCache.ts';
import type { Layer, Tensor } from './tfjsModules.ts';

/** Decides the mode of each layer during a probe: true for training. */
export type ModeOverride = (layer: Layer) => boolean;

export const ALL_INFERENCE: ModeOverride = () => false;

export interface ProbeState {
  /** Set while a probe runs; the layer tap applies it instead of recording. */
  override: ModeOverride | null;
  /** Random numbers to replay while a given layer runs in a probe (the ones it drew in the real call). */
  replay: Map<Layer, number[]> | null;
  /** Where this pass keeps its layer outputs, and which earlier outputs it may take (probeCache.ts). */
  record: ProbeCache | null;
  reuse: { cache: ProbeCache; before: number } | null;
  /** Leaf layer calls so far in this pass. */
  position: number;
}

export interface ProbeRun {
  /** The layers the override may put in training mode; their state is restored afterwards. */
  trainingLayers?: Layer[];
  replay?: Map<Layer, number[]> | null;
  /** Keep this pass's layer outputs here. */
  record?: ProbeCache;
  /** Take the outputs of the first `before` layer calls from an earlier pass. */
  reuse?: { cache: ProbeCache; before: number };
}

/** A leaf layer's call inside a probe: its output from an earlier pass when that is known to be the same,
 *  else computed in the forced mode (replaying the call's random draws) and recorded when asked. */
export function probeLayerCall(state: ProbeState, layer: Layer, compute: (training: boolean) => unknown): unknown {
  const position = state.position++;
  const reused = state.reuse && position < state.reuse.before ? state.reuse.cache.lookup(position, layer) : null;
  if (reused) return reused;
  const out = withReplay(state, layer, () => compute((state.override as ModeOverride)(layer)));
  state.record?.record(position, layer, out);
  return out;
}

/** Runs a layer in a probe, replaying the random numbers it drew in the real call, if any. */
export function withReplay<T>(state: ProbeState, layer: Layer, run: () => T): T {
  const draws = state.replay?.get(layer);
  if (!draws) return run();
  const fallback = Math.random;
  let i = 0;
  Math.random = () => (i < draws.length ? draws[i++] : fallback());
  try {
    return run();
  } finally {
    Math.random = fallback;
  }
}

const PROBE_SEED = 0x7f4a7c15;

export class Prober {
  constructor(private readonly core: any, private readonly state: ProbeState) {}

  get active(): boolean {
    return this.state.override !== null;
  }

  /**
   * Runs closure once with the given modes and returns the loss as a kept one-element tensor (the caller
   * owns it), or throws what the closure threw.
   */
  run(closure: () => unknown, override: ModeOverride, { trainingLayers = [], replay = null, record, reuse }: ProbeRun = {}): Tensor {
    const core = this.core;
    const engine = core.engine();
    const snapshots = trainingLayers.filter((l) => isBatchNormalization(layerClassName(l))).flatMap((l) =>
      [l.movingMean, l.movingVariance].filter(Boolean).map((lv: any) => ({ variable: lv.read(), copy: core.keep(core.clone(lv.read())) })),
    );
    Object.assign(this.state, { override, replay, record: record ?? null, reuse: reuse ?? null, position: 0 });
    try {
      return isolated(PROBE_SEED, () => {
        // The tape is only on when this probe runs inside someone else's gradient call (higher order).
        const run = () => core.tidy(() => core.keep(scalarLoss(core, closure())));
        return engine.state.gradientDepth > 0 ? withTapeOff(engine, run) : run();
      });
    } finally {
      Object.assign(this.state, { override: null, replay: null, record: null, reuse: null });
      for (const s of snapshots) {
        if (s.variable.dataId !== s.copy.dataId) s.variable.assign(s.copy);
        s.copy.dispose();
      }
    }
  }
}

function scalarLoss(core: any, value: unknown): Tensor {
  if (!(value instanceof core.Tensor)) {
    throw new Error(`the loss closure returned ${value === null ? 'null' : typeof value}, not a tensor`);
  }
  const t = value as Tensor;
  return t.size === 1 ? core.reshape(t, [1]) : core.reshape(core.sum(t), [1]);
}
