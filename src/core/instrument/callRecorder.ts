// Collects what one gradient call did: which layers ran in which mode, their output statistics,
// BatchNormalization statistics, the value and the gradient norms. Keeps tensors only until finish(),
// which reads them all back at once and frees them.
import type {
  BatchNormStats, GradientApi, GradientCallRecord, LayerCallRecord, LayerInfo, SourceLocation, TensorStats, WeightGradNorm,
} from '../../protocol.ts';
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
}

export interface ProbeSlots {
  before: Slot | null;
  after: Slot | null;
  error: string | null;
}

export class CallRecorder {
  readonly batch: ReadbackBatch;
  private readonly entries = new Map<LayerInfo, LayerEntry>();
  private value: Slot | null = null;
  private weights: { name: string; variable: unknown; slot: Slot | null }[] = [];
  readonly probes: ProbeSlots = { before: null, after: null, error: null };
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
        info, layer, training: false, inference: false, calls: 0, trainable: Boolean(layer.trainable),
        output: null, nonFinite: [], batchNorm: null,
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

    const out = run();
    const output = firstTensor(core, out);
    if (output && output.size > 0) {
      withTapeOff(this.engine(), () => {
        if (first && this.probed) entry.output = this.batch.add(outputStatsTensor(core, output));
        entry.nonFinite.push(this.batch.add(nonFiniteTensor(core, output)));
      });
    }
    return out;
  }

  /** Called with what the gradient call returned. */
  recordResult(value: Tensor, xs: Tensor[], grads: (Tensor | null)[]): void {
    const core = this.core;
    withTapeOff(this.engine(), () => {
      this.value = this.batch.add(core.tidy(() => (value.size === 1 ? core.reshape(value, [1]) : core.reshape(core.sum(value), [1]))));
      this.weights = xs.map((x, i) => ({
        name: String(x.name ?? `x${i}`),
        variable: x,
        slot: grads[i] == null ? null : this.batch.add(core.tidy(() => core.reshape(core.norm(grads[i]), [1]))),
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

    return {
      index: this.index,
      api: this.api,
      source: this.source,
      lossBefore: one(this.probes.before),
      lossDuring: one(this.value),
      lossAfter: one(this.probes.after),
      lossAfterStep: null,
      probed: this.probed,
      probeError: this.probes.error,
      layers,
      weights,
      attribution: null,
      unexplained: null,
      numTensors: numTensors(),
      durationMs: this.durationMs,
    };
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
