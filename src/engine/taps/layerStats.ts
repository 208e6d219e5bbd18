// What the layer taps measure on the backend, for the batched read-back strategy (readback.ts): each function
// runs under withTapeOff and returns small tensors (a handful of numbers, or one number per channel); the
// caller hands them to a ReadbackBatch. The BatchNormalization helpers serve both strategies.
import type { Layer, Tensor, TfjsCore } from '../tfjs.ts';

/** [mean, std, min, max, nanCount, infCount] of x. */
export function outputStatsTensor(core: TfjsCore, x: Tensor): Tensor {
  return core.tidy(() => {
    const flat = core.reshape(x.dtype === 'float32' ? x : core.cast(x, 'float32'), [-1]);
    const { mean, variance } = core.moments(flat);
    const nan = core.sum(core.cast(core.isNaN(flat), 'float32'));
    const inf = core.sum(core.cast(core.isInf(flat), 'float32'));
    return core.stack([mean, core.sqrt(variance), core.min(flat), core.max(flat), nan, inf]);
  });
}

/** Count of NaN and Inf values in x, as a one-element tensor. */
export function nonFiniteTensor(core: TfjsCore, x: Tensor): Tensor {
  return core.tidy(() => {
    const flat = core.reshape(x.dtype === 'float32' ? x : core.cast(x, 'float32'), [-1]);
    return core.sum(core.cast(core.logicalNot(core.isFinite(flat)), 'float32'));
  });
}

export function isBatchNormalization(className: string): boolean {
  return className === 'BatchNormalization';
}

/** The channel axis a BatchNormalization layer normalises over (tfjs-layers/src/layers/normalization.ts). */
function channelAxis(layer: Layer, rank: number): number {
  const axis = Number(layer.axis ?? -1);
  return axis >= 0 ? axis : axis + rank;
}

/** Per-channel mean and variance of a BatchNormalization layer's input: the batch statistics that
 *  the layer normalises with in training mode (normalizeBatchInTraining uses tf.moments the same way). */
export function batchMomentsTensors(core: TfjsCore, layer: Layer, input: Tensor): [Tensor, Tensor] {
  return core.tidy(() => {
    const axis = channelAxis(layer, input.rank);
    const reduce = [...Array(input.rank).keys()].filter((a) => a !== axis);
    const x = input.dtype === 'float32' ? input : core.cast(input, 'float32');
    const { mean, variance } = core.moments(x, reduce);
    return [mean, variance];
  });
}

/** A BatchNormalization layer's moving mean and variance, as they are now. */
export function movingStats(layer: Layer): [Tensor, Tensor] | null {
  if (!layer.movingMean || !layer.movingVariance) return null;
  return [layer.movingMean.read(), layer.movingVariance.read()];
}

/** The number of channels a BatchNormalization layer normalises for this input. */
export function channelCount(layer: Layer, input: Tensor): number {
  return input.shape[channelAxis(layer, input.rank)];
}

/**
 * Catches the batch mean and variance tfjs itself computes for a BatchNormalization layer in training mode:
 * normalizeBatchInTraining calls tfc.moments(x, reductionAxes) once, through the tfjs-core exports object
 * (tfjs-layers/src/layers/normalization.ts; the node bundle reads it through a getter namespace,
 * tf-layers.node.js _interopNamespaceDefault). So the batch statistics cost no kernel of their own, and they
 * are exactly the ones the layer used.
 */
export class MomentsTap {
  private receiver: ((moments: { mean: Tensor; variance: Tensor }) => void) | null = null;

  /** Runs fn with receiver taking the first moments call inside it. */
  catchIn<T>(receiver: (moments: { mean: Tensor; variance: Tensor }) => void, fn: () => T): T {
    this.receiver = receiver;
    try {
      return fn();
    } finally {
      this.receiver = null;
    }
  }

  /** Wraps tfjs-core's moments. */
  wrap(original: (...args: unknown[]) => { mean: Tensor; variance: Tensor }) {
    return (...args: unknown[]) => {
      const result = original(...args);
      const receiver = this.receiver;
      if (receiver) {
        this.receiver = null;
        receiver(result);
      }
      return result;
    };
  }
}
