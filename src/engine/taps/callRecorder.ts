// Collects what one gradient call did: which layers ran in which mode, their output statistics,
// BatchNormalization statistics, the value and the gradient norms. Keeps tensors only until finish(),
// which reads them all back at once and frees them.
import type {
  AttributionEntry, BackendCheck, BatchNormStats, GradientApi, GradientCallRecord, LayerCallRecord, LayerInfo, SourceLocation, TensorStats, WeightGradNorm,
} from '../../protocol/report.ts';
import { isTrainable, ownWeights } from './layerRegistry.ts';
import { euclideanNorm, nonFiniteCount, summarize } from '../readback/hostReductions.ts';
import {
  batchMomentsTensors, channelCount, isBatchNormalization, movingStats, outputStatsTensor, type MomentsTap,
} from './layerStats.ts';
import { asDebugger, withTapeOff } from '../probeEnvironment.ts';
import { NonFiniteScreen } from './nonFiniteScreen.ts';
import { ReadbackBatch, transientValues, type ReadStrategy, type Slot } from '../readback/readback.ts';
import { engineOf, firstTensor, type Engine, type Layer, type Tensor, type TfjsCore, type Variable } from '../tfjs.ts';

interface BatchNormSlots {
  movingBefore: [Slot, Slot] | null;
  movingAfter: [Slot, Slot] | null;
  batch: [Slot, Slot] | null;
  /** The batch statistics come from the moving-average update (the moments were not caught). */
  derive?: boolean;
}

/** How a layer ran in one call: its mode, whether the user's code asked for inference ({training: false} on it
 *  or a model it runs in), and what froze it. */
export interface LayerCallMode {
  training: boolean;
  inferenceAsked: boolean;
  frozenBy: number | null;
}

interface LayerEntry {
  info: LayerInfo;
  layer: Layer;
  training: boolean;
  inference: boolean;
  calls: number;
  /** Calls in which the user's code asked for inference mode. */
  askedInference: number;
  trainable: boolean;
  /** The layer whose trainable = false froze this one (itself or a model it ran in), in its first call. */
  frozenBy: number | null;
  output: Slot | null;
  nonFinite: Slot[];
  batchNorm: BatchNormSlots | null;
}

export interface ProbeSlots {
  before: Slot | null;
  after: Slot | null;
  error: string | null;
  /** Loss with only one layer in training mode, per attributed layer. */
  attribution: { layer: number; slot: Slot }[] | null;
}

export class CallRecorder {
  readonly batch: ReadbackBatch;
  /** The batched strategy's NaN/Inf counts of layer calls without full statistics, taken when the call's value
   *  or gradients are not finite. */
  private readonly screen: NonFiniteScreen<LayerEntry>;
  private readonly entries = new Map<LayerInfo, LayerEntry>();
  private value: Slot | null = null;
  private weights: { name: string; variable: unknown; slot: Slot | null }[] = [];
  readonly probes: ProbeSlots = { before: null, after: null, error: null, attribution: null };
  durationMs = 0;
  /** Live tensors as the call started. */
  numTensorsBefore: number | undefined;
  /** The model whose fit, fitDataset or trainOnBatch made the call. */
  model: number | undefined;
  /** The cross-backend check, when this call had one. */
  backendCheck: BackendCheck | undefined;
  /** Work on the call's values once they are read (the cross-backend check), before the record is built. */
  private readonly afterRead: (() => void)[] = [];

  constructor(
    private readonly core: TfjsCore,
    readonly index: number,
    readonly api: GradientApi,
    readonly source: SourceLocation | null,
    readonly probed: boolean,
    strategy: ReadStrategy,
    private readonly moments: MomentsTap,
  ) {
    this.batch = new ReadbackBatch(core, strategy);
    this.screen = new NonFiniteScreen(core);
  }

  private engine(): Engine {
    return engineOf(this.core);
  }

  /** Called by the layer tap around one concrete call of a (non-container) layer. */
  recordLayerCall<T>(layer: Layer, info: LayerInfo, mode: LayerCallMode, inputs: unknown, run: () => T): T {
    const { training, frozenBy } = mode;
    let entry = this.entries.get(info);
    const first = !entry;
    if (!entry) {
      entry = {
        info, layer, training: false, inference: false, calls: 0, askedInference: 0, trainable: frozenBy == null && isTrainable(layer), frozenBy,
        output: null, nonFinite: [], batchNorm: null,
      };
      this.entries.set(info, entry);
    }
    entry.calls++;
    if (training) entry.training = true;
    else entry.inference = true;
    if (mode.inferenceAsked) entry.askedInference++;

    const core = this.core;
    const bn: BatchNormSlots | null = first && isBatchNormalization(info.className)
      ? { movingBefore: this.copies(movingStats(layer)), movingAfter: null, batch: null }
      : null;
    if (bn) entry.batchNorm = bn;
    const input = bn ? firstTensor(core, inputs) : null;

    let call = run;
    if (bn && training && input) {
      const channels = channelCount(layer, input);
      call = () => this.moments.catchIn(({ mean, variance }) => {
        if (mean.size === channels && variance.size === channels) bn.batch = this.copies([mean, variance]);
      }, run);
    }
    const out = call();
    // A second training-mode call moves the statistics again: what the update gives is no longer one batch's.
    if (!first && training && entry.batchNorm?.derive) entry.batchNorm.derive = false;
    asDebugger(() => {
      if (bn && !bn.batch && input && training) {
        // tfjs's own moments call was not caught (a bundle whose layers call tfjs-core's moments directly, as
        // tf.min.js does): the update moving ← moving·m + batch·(1 − m) gives the batch statistics back.
        bn.derive = true;
      } else if (bn && !bn.batch && input) {
        bn.batch = withTapeOff(this.engine(), () => {
          const [mean, variance] = batchMomentsTensors(core, layer, input);
          return [this.batch.add(mean), this.batch.add(variance)];
        });
      }
      const output = firstTensor(core, out);
      if (output && output.size > 0 && output.dtype !== 'string' && output.dtype !== 'complex64') {
        this.recordOutput(entry, first, output);
      }
    });
    return out;
  }

  /** Output statistics (first call, probed calls: they count NaN and Inf too) or else the NaN/Inf count of a
   *  layer's output. */
  private recordOutput(entry: LayerEntry, first: boolean, output: Tensor): void {
    const full = first && this.probed;
    if (this.batch.immediate && !full) {
      entry.nonFinite.push(this.batch.addValues([nonFiniteCount(transientValues(this.core, output))]));
      return;
    }
    withTapeOff(this.engine(), () => {
      if (full) entry.output = this.batch.occasional(this.batch.addReduced(output, (t) => outputStatsTensor(this.core, t), summarize));
      else this.screen.add(entry, output);
    });
  }

  /** Copies of the values of a pair of tensors as they are now, taken off the tape. */
  private copies(pair: [Tensor, Tensor] | null): [Slot, Slot] | null {
    if (!pair) return null;
    return withTapeOff(this.engine(), () => [this.batch.addCopyOf(pair[0]), this.batch.addCopyOf(pair[1])]);
  }

  /** lossDuring, read now (one small sync on a GPU backend), for attribution's decision. */
  peekDuring(): number | null {
    return this.value == null ? null : this.batch.peek([this.value])[0];
  }

  /** Called with what the gradient call returned. */
  recordResult(value: Tensor, xs: Tensor[], grads: (Tensor | null)[]): void {
    const core = this.core;
    const immediate = this.batch.immediate;
    withTapeOff(this.engine(), () => {
      this.value = value.size === 1 ? this.batch.addCopyOf(value) : this.batch.add(core.tidy(() => core.reshape(core.sum(value), [1])));
      // Gradient norms are read on probed calls only: on the batched strategy they cost kernels per weight.
      const norm = (g: Tensor): Slot =>
        this.batch.occasional(this.batch.addReduced(g, (t) => core.tidy(() => core.reshape(core.norm(t), [1])), (v) => [euclideanNorm(v)]));
      this.weights = xs.map((x, i) => ({
        name: String((x as Partial<Variable>).name ?? `x${i}`),
        variable: x,
        slot: grads[i] == null || !this.probed ? null : norm(grads[i] as Tensor),
      }));
      if (!immediate) this.screen.addGradients(grads.filter((g): g is Tensor => g != null), this.batch);
    });
  }

  /** Runs work once the call's values are read, before the record is built: at once after a read that waits,
   *  when the values arrive after one that does not. */
  whenRead(work: () => void): void {
    this.afterRead.push(work);
  }

  /** Reads everything back, frees the kept tensors and returns the record: with one sync, or, on the deferred
   *  strategy, when the values arrive. */
  finish(numTensors: () => number): GradientCallRecord | Promise<GradientCallRecord> {
    withTapeOff(this.engine(), () => {
      for (const entry of this.entries.values()) {
        if (entry.batchNorm) entry.batchNorm.movingAfter = this.copies(movingStats(entry.layer));
      }
    });
    const weights = this.weightsNow();
    const batch = this.batch;
    // On the deferred strategy the run's first call reads at once all the same: in a page it compiles the page's
    // programs, so its frame is seconds long on a GPU's first run anyway, and values read before it returns take
    // nothing from the frames after it, which they would lengthen (arriving reads, textures still held) just when
    // the page's own are longest.
    const reading = withTapeOff(this.engine(), () => {
      if (batch.strategy !== 'deferred') return batch.read();
      return this.index === 1 ? batch.readAtOnce() : batch.readWithoutWaiting();
    });
    // Taken once the batch has let go of what it kept (a deferred read lets go before its values arrive).
    const memory: Memory = { numTensors: numTensors(), ...gpuBytes(this.engine()) };
    const built = () => {
      for (const work of this.afterRead) work();
      return this.build(memory, weights);
    };
    if (!reading) return built();
    return reading.then(built, (e: unknown) => {
      this.abandon();
      throw e;
    });
  }

  /** Which layer each trainable variable is a weight of, and each layer's own weights, as the call ended (the
   *  record may be built later, when the user's code may have changed them or disposed the model). */
  private weightsNow(): LayerWeights {
    const layerOf = new Map<unknown, number>();
    const own = new Map<LayerEntry, unknown[]>();
    for (const entry of this.entries.values()) {
      for (const w of entry.layer.trainableWeights ?? []) layerOf.set(w.read?.(), entry.info.id);
      own.set(entry, ownWeights(entry.layer).map((w) => w.read?.()));
    }
    return { layerOf, own };
  }

  /** The record, from the values read back. */
  private build(memory: Memory, layerWeights: LayerWeights): GradientCallRecord {
    const one = (slot: Slot | null): number | null => (slot == null ? null : this.batch.get(slot)[0]);
    const screened = withTapeOff(this.engine(), () => this.screen.counts(this.batch, one(this.value)));

    const weights: WeightGradNorm[] = this.weights.map((w) => ({
      name: w.name,
      layer: layerWeights.layerOf.get(w.variable) ?? null,
      norm: one(w.slot),
    }));

    const differentiated = new Set(this.weights.map((w) => w.variable));
    const layers: LayerCallRecord[] = [...this.entries.values()].map((entry) => {
      const own = weights.filter((w) => w.layer === entry.info.id && w.norm != null);
      const output = entry.output == null ? null : toStats(this.batch.get(entry.output));
      const record: LayerCallRecord = {
        layer: entry.info.id,
        mode: entry.training && entry.inference ? 'mixed' : entry.training ? 'training' : 'inference',
        calls: entry.calls,
        trainable: entry.trainable,
        output,
        nonFinite: entry.nonFinite.reduce((sum, slot) => sum + this.batch.get(slot)[0], (screened.get(entry) ?? 0) + (output ? output.nanCount + output.infCount : 0)),
        batchNorm: entry.batchNorm ? this.batchNormStats(entry) : null,
        gradNorm: own.length ? Math.sqrt(own.reduce((s, w) => s + (w.norm as number) ** 2, 0)) : null,
      };
      if (entry.frozenBy != null) record.frozenBy = entry.frozenBy;
      if (!entry.training && entry.askedInference === entry.calls) record.inferenceAsked = true;
      const candidates = layerWeights.own.get(entry) ?? [];
      if (candidates.length) {
        const taken = candidates.filter((v) => differentiated.has(v)).length;
        record.learns = taken === candidates.length ? 'all' : taken > 0 ? 'some' : 'none';
      }
      return record;
    });

    const lossBefore = one(this.probes.before);
    const lossDuring = one(this.value);
    const { attribution, unexplained } = this.attribution(lossBefore, lossDuring);
    return {
      index: this.index,
      api: this.api,
      source: this.source,
      ...(this.model != null ? { model: this.model } : {}),
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
      numTensors: memory.numTensors,
      ...(this.numTensorsBefore != null ? { numTensorsBefore: this.numTensorsBefore } : {}),
      ...(memory.gpuBytes != null ? { gpuBytes: memory.gpuBytes } : {}),
      ...(this.backendCheck ? { backendCheck: this.backendCheck } : {}),
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
    const momentum = Number(entry.layer.momentum);
    const stats = {
      movingMeanBefore: get(bn.movingBefore?.[0]),
      movingVarianceBefore: get(bn.movingBefore?.[1]),
      movingMeanAfter: get(bn.movingAfter?.[0]),
      movingVarianceAfter: get(bn.movingAfter?.[1]),
      batchMean: get(bn.batch?.[0]),
      batchVariance: get(bn.batch?.[1]),
      momentum,
      epsilon: Number(entry.layer.epsilon),
    };
    if (bn.derive && momentum >= 0 && momentum < 1) {
      const back = (after: number[], before: number[]) => after.map((a, i) => (a - before[i] * momentum) / (1 - momentum));
      stats.batchMean = back(stats.movingMeanAfter, stats.movingMeanBefore);
      stats.batchVariance = back(stats.movingVarianceAfter, stats.movingVarianceBefore);
    }
    return stats;
  }

  /** Frees kept tensors when the gradient call itself failed. */
  abandon(): void {
    this.batch.dispose();
    this.screen.dispose();
  }
}

interface LayerWeights {
  layerOf: Map<unknown, number>;
  own: Map<LayerEntry, unknown[]>;
}

/** Live tensors and GPU bytes as the call ended. */
type Memory = { numTensors: number } & ReturnType<typeof gpuBytes>;

/** GPU memory the backend holds (webgl and webgpu report it: KernelBackend.memory()), when it says. */
function gpuBytes(engine: Engine): { gpuBytes?: number } {
  try {
    // webgl and webgpu add numBytesInGPU to KernelBackend's MemoryInfo (tfjs-backend-webgl/src/backend_webgl.ts).
    const memory = engine.backendInstance?.memory?.() as { numBytesInGPU?: number } | undefined;
    const bytes = Number(memory?.numBytesInGPU);
    return Number.isFinite(bytes) ? { gpuBytes: bytes } : {};
  } catch {
    return {};
  }
}

function toStats(v: number[]): TensorStats {
  return { mean: v[0], std: v[1], min: v[2], max: v[3], nanCount: v[4], infCount: v[5] };
}
