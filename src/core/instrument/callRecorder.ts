// Collects what one gradient call did: which layers ran in which mode, their output statistics,
// BatchNormalization statistics, the value and the gradient norms. Keeps tensors only until finish(),
// which reads them all back at once and frees them.
import type {
  AttributionEntry, BatchNormStats, GradientApi, GradientCallRecord, LayerCallRecord, LayerInfo, SourceLocation, TensorStats, WeightGradNorm,
} from '../../protocol.ts';
import { mayDependOnMode } from '../layerClasses.ts';
import { isTrainable } from './layerRegistry.ts';
import { batchMomentsTensors, isBatchNormalization, movingStatsTensors, nonFiniteTensor, outputStatsTensor } from './layerStats.ts';
import { withTapeOff } from './probeEnvironment.ts';
import { ReadbackBatch, type Slot } from './readback.ts';
import { firstTensor, type Layer, type Tensor } from './tfjsModules.ts';

interface BatchNormSlots {
  movingBefore: [Slot, Slot] | null;
  movingAfter: [Slot, Slot] | null;
  batch: [Slot, Slot] | null;
}

interface LayerEntry {
  info: LayerInfo;
  layer: Layer;
  training: boolean;
  inference: boolean;
  calls: number;
  trainable: boolean;
  output: Slot | null;
  nonFinite: Slot[];
  batchNorm: BatchNormSlots | null;
  draws: number[] | null;
}

function recordDraws<T>(entry: LayerEntry, run: () => T): T {
  const random = Math.random;
  const draws: number[] = [];
  Math.random = () => {
    const v = random();
    draws.push(v);
    return v;
  };
  try {
    return run();
  } finally {
    Math.random = random;
    if (draws.length) entry.draws = draws;
  }
}

export interface ProbeSlots {
  before: Slot | null;
  after: Slot | null;
  error: string | null;
  /** Loss with only one layer in training mode, per attributed layer. */
  attribution: { layer: number; slot: Slot }[] | null;
}

/** A layer that ran inside the gradient call, as attribution needs it. */
export interface RecordedLayer {
  info: LayerInfo;
  layer: Layer;
  training: boolean;
  /** Copies of its moving mean and variance from before the call (BatchNormalization only). */
  movingBefore: [Tensor, Tensor] | null;
  /** The Math.random() values it drew in the call, in order. */
  draws: number[] | null;
}

export class CallRecorder {
  readonly batch: ReadbackBatch;
  private readonly entries = new Map<LayerInfo, LayerEntry>();
  private value: Slot | null = null;
  private weights: { name: string; variable: unknown; slot: Slot | null }[] = [];
  readonly probes: ProbeSlots = { before: null, after: null, error: null, attribution: null };
  durationMs = 0;

  constructor(
    private readonly core: any,
    readonly index: number,
    readonly api: GradientApi,
    readonly source: SourceLocation | null,
    readonly probed: boolean,
  ) {
    this.batch = new ReadbackBatch(core);
  }

  private engine(): any {
    return this.core.engine();
  }

  /** Called by the layer tap around one concrete call of a (non-container) layer. */
  recordLayerCall<T>(layer: Layer, info: LayerInfo, training: boolean, inputs: unknown, run: () => T): T {
    let entry = this.entries.get(info);
    const first = !entry;
    if (!entry) {
      entry = {
        info, layer, training: false, inference: false, calls: 0, trainable: isTrainable(layer),
        output: null, nonFinite: [], batchNorm: null, draws: null,
      };
      this.entries.set(info, entry);
    }
    entry.calls++;
    if (training) entry.training = true;
    else entry.inference = true;

    const core = this.core;
    if (first && isBatchNormalization(info.className)) {
      const input = firstTensor(core, inputs);
      entry.batchNorm = withTapeOff(this.engine(), () => {
        const moving = movingStatsTensors(core, layer);
        const moments = input ? batchMomentsTensors(core, layer, input) : null;
        return {
          movingBefore: moving ? [this.batch.add(moving[0]), this.batch.add(moving[1])] : null,
          movingAfter: null,
          batch: moments ? [this.batch.add(moments[0]), this.batch.add(moments[1])] : null,
        };
      });
    }

    // Record the random numbers a mode-dependent layer draws in training mode (Dropout seeds its mask from
    // one Math.random() call: tfjs-core/src/ops/dropout.ts, random_uniform.ts), so attribution can replay
    // exactly the mask the call used. The draws themselves are untouched.
    const out = first && training && mayDependOnMode(info.className) ? recordDraws(entry, run) : run();
    const output = firstTensor(core, out);
    if (output && output.size > 0) {
      withTapeOff(this.engine(), () => {
        if (first && this.probed) entry.output = this.batch.add(outputStatsTensor(core, output));
        entry.nonFinite.push(this.batch.add(nonFiniteTensor(core, output)));
      });
    }
    return out;
  }

  /** The layers that ran, in execution order. */
  recordedLayers(): RecordedLayer[] {
    return [...this.entries.values()].map((e) => ({
      info: e.info,
      layer: e.layer,
      training: e.training,
      movingBefore: e.batchNorm?.movingBefore
        ? [this.batch.tensor(e.batchNorm.movingBefore[0]), this.batch.tensor(e.batchNorm.movingBefore[1])]
        : null,
      draws: e.draws,
    }));
  }

  /** lossBefore and lossDuring, read now with one small sync (for attribution's decision). */
  peekLosses(): [number | null, number | null] {
    const core = this.core;
    const slots = [this.probes.before, this.value];
    if (slots.some((s) => s == null)) return [null, null];
    const t = core.concat(slots.map((s) => this.batch.tensor(s as Slot)));
    const v = t.dataSync();
    t.dispose();
    return [v[0], v[1]];
  }

  /** Called with what the gradient call returned. */
  recordResult(value: Tensor, xs: Tensor[], grads: (Tensor | null)[]): void {
    const core = this.core;
    withTapeOff(this.engine(), () => {
      this.value = this.batch.add(core.tidy(() => (value.size === 1 ? core.reshape(value, [1]) : core.reshape(core.sum(value), [1]))));
      // Gradient norms are read on probed calls only: two kernels per weight on every call cost more than
      // a sampled curve is worth.
      this.weights = xs.map((x, i) => ({
        name: String(x.name ?? `x${i}`),
        variable: x,
        slot: grads[i] == null || !this.probed ? null : this.batch.add(core.tidy(() => core.reshape(core.norm(grads[i]), [1]))),
      }));
    });
  }

  /** Reads everything back (one sync), frees the kept tensors and returns the record. */
  finish(numTensors: () => number): GradientCallRecord {
    const core = this.core;
    withTapeOff(this.engine(), () => {
      for (const entry of this.entries.values()) {
        if (!entry.batchNorm) continue;
        const moving = movingStatsTensors(core, entry.layer);
        if (moving) entry.batchNorm.movingAfter = [this.batch.add(moving[0]), this.batch.add(moving[1])];
      }
      this.batch.read();
    });
    const one = (slot: Slot | null): number | null => (slot == null ? null : this.batch.get(slot)[0]);

    const layerOfVariable = new Map<unknown, number>();
    for (const entry of this.entries.values()) {
      for (const w of entry.layer.trainableWeights ?? []) layerOfVariable.set(w.read?.(), entry.info.id);
    }
    const weights: WeightGradNorm[] = this.weights.map((w) => ({
      name: w.name,
      layer: layerOfVariable.get(w.variable) ?? null,
      norm: one(w.slot),
    }));

    const layers: LayerCallRecord[] = [...this.entries.values()].map((entry) => {
      const own = weights.filter((w) => w.layer === entry.info.id && w.norm != null);
      return {
        layer: entry.info.id,
        mode: entry.training && entry.inference ? 'mixed' : entry.training ? 'training' : 'inference',
        calls: entry.calls,
        trainable: entry.trainable,
        output: entry.output == null ? null : toStats(this.batch.get(entry.output)),
        nonFinite: entry.nonFinite.reduce((sum, slot) => sum + this.batch.get(slot)[0], 0),
        batchNorm: entry.batchNorm ? this.batchNormStats(entry) : null,
        gradNorm: own.length ? Math.sqrt(own.reduce((s, w) => s + (w.norm as number) ** 2, 0)) : null,
      };
    });

    const lossBefore = one(this.probes.before);
    const lossDuring = one(this.value);
    const { attribution, unexplained } = this.attribution(lossBefore, lossDuring);
    return {
      index: this.index,
      api: this.api,
      source: this.source,
      lossBefore,
      lossDuring,
      lossAfter: one(this.probes.after),
      lossAfterStep: null,
      probed: this.probed,
      probeError: this.probes.error,
      layers,
      weights,
      attribution,
      unexplained,
      numTensors: numTensors(),
      durationMs: this.durationMs,
    };
  }

  /** Each attributed layer's share of the gap: its loss alone in training mode against lossBefore. */
  private attribution(before: number | null, during: number | null): Pick<GradientCallRecord, 'attribution' | 'unexplained'> {
    if (!this.probes.attribution || before == null || during == null) return { attribution: null, unexplained: null };
    const gap = during - before;
    const attribution: AttributionEntry[] = this.probes.attribution.map(({ layer, slot }) => {
      const deltaLoss = this.batch.get(slot)[0] - before;
      return { layer, deltaLoss, share: gap === 0 ? 0 : deltaLoss / gap };
    });
    attribution.sort((a, b) => Math.abs(b.deltaLoss) - Math.abs(a.deltaLoss));
    return { attribution, unexplained: gap - attribution.reduce((sum, a) => sum + a.deltaLoss, 0) };
  }

  private batchNormStats(entry: LayerEntry): BatchNormStats {
    const bn = entry.batchNorm as BatchNormSlots;
    const get = (slot: Slot | undefined): number[] => (slot == null ? [] : this.batch.get(slot));
    return {
      movingMeanBefore: get(bn.movingBefore?.[0]),
      movingVarianceBefore: get(bn.movingBefore?.[1]),
      movingMeanAfter: get(bn.movingAfter?.[0]),
      movingVarianceAfter: get(bn.movingAfter?.[1]),
      batchMean: get(bn.batch?.[0]),
      batchVariance: get(bn.batch?.[1]),
      momentum: Number(entry.layer.momentum),
      epsilon: Number(entry.layer.epsilon),
    };
  }

  /** Frees kept tensors when the gradient call itself failed. */
  abandon(): void {
    this.batch.dispose();
  }
}

function toStats(v: number[]): TensorStats {
  return { mean: v[0], std: v[1], min: v[2], max: v[3], nanCount: v[4], infCount: v[5] };
}
