// The tensors the layer taps keep for read-back. Each function runs under withTapeOff and returns small
// tensors (a handful of numbers, or one number per channel); the caller hands them to a ReadbackBatch.
import type { Layer, Tensor } from './tfjsModules.ts';

/** [mean, std, min, max, nanCount, infCount] of x. */
export function outputStatsTensor(core: any, x: Tensor): Tensor {
  return core.tidy(() => {
    const flat = core.reshape(x.dtype === 'float32' ? x : core.cast(x, 'float32'), [-1]);
    const { mean, variance } = core.moments(flat);
    const nan = core.sum(core.cast(core.isNaN(flat), 'float32'));
    const inf = core.sum(core.cast(core.isInf(flat), 'float32'));
    return core.stack([mean, core.sqrt(variance), core.min(flat), core.max(flat), nan, inf]);
  });
}

/** Count of NaN and Inf values in x, as a one-element tensor. */
export function nonFiniteTensor(core: any, x: Tensor): Tensor {
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
export function batchMomentsTensors(core: any, layer: Layer, input: Tensor): [Tensor, Tensor] {
  return core.tidy(() => {
    const axis = channelAxis(layer, input.rank);
    const reduce = [...Array(input.rank).keys()].filter((a) => a !== axis);
    const x = input.dtype === 'float32' ? input : core.cast(input, 'float32');
    const { mean, variance } = core.moments(x, reduce);
    return [mean, variance];
  });
}

/** Copies of a BatchNormalization layer's moving mean and variance. A clone shares the data buffer, so
 *  this costs no copy, and keeps the old values alive when the layer's update reassigns the variables. */
export function movingStatsTensors(core: any, layer: Layer): [Tensor, Tensor] | null {
  if (!layer.movingMean || !layer.movingVariance) return null;
  return [core.clone(layer.movingMean.read()), core.clone(layer.movingVariance.read())];
}
