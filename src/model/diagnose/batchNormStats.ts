// Per-channel distances between a BatchNormalization layer's batch statistics and its moving statistics,
// shared by the rules that reason about them.
import type { BatchNormStats } from '../../protocol/report.ts';

export interface ChannelDistance {
  channel: number;
  /** |batch mean − moving mean| in moving standard deviations. */
  meanDistance: number;
  /** batch variance / moving variance. */
  varianceRatio: number;
}

export function channelDistances(bn: BatchNormStats, moving: 'before' | 'after' = 'before'): ChannelDistance[] {
  const mean = moving === 'before' ? bn.movingMeanBefore : bn.movingMeanAfter;
  const variance = moving === 'before' ? bn.movingVarianceBefore : bn.movingVarianceAfter;
  return bn.batchMean.map((m, channel) => ({
    channel,
    meanDistance: Math.abs(m - mean[channel]) / Math.sqrt(variance[channel] + bn.epsilon),
    varianceRatio: (bn.batchVariance[channel] + bn.epsilon) / (variance[channel] + bn.epsilon),
  })).filter((d) => Number.isFinite(d.meanDistance) && Number.isFinite(d.varianceRatio));
}

/** One number per channel: how far normalising with batch statistics is from normalising with moving ones. */
export function severityOf(d: ChannelDistance): number {
  return Math.max(d.meanDistance, Math.abs(Math.log2(d.varianceRatio)));
}

export function worstChannels(distances: ChannelDistance[], n = 3): ChannelDistance[] {
  return [...distances].sort((a, b) => severityOf(b) - severityOf(a)).slice(0, n);
}

export function describeChannels(distances: ChannelDistance[]): string {
  return worstChannels(distances).map((d) =>
    `channel ${d.channel}: mean ${d.meanDistance.toFixed(2)}σ away, variance ×${d.varianceRatio.toPrecision(3)}`).join('; ');
}

/** Steps until the moving statistics get from `distance` to `target` with tfjs's momentum convention:
 *  each step keeps `momentum` of the old value (moving ← moving·momentum + batch·(1 − momentum)). */
export function stepsToConverge(distance: number, target: number, momentum: number): number {
  if (distance <= target) return 0;
  if (!(momentum > 0 && momentum < 1)) return Infinity;
  return Math.ceil(Math.log(target / distance) / Math.log(momentum));
}

export const MOMENTUM_CONVENTION =
  "tfjs/Keras convention: moving ← moving·momentum + batch·(1 − momentum); PyTorch and Flux call 1 − momentum their momentum";

/** Largest distance of a channel's batch mean from its moving mean before the call, in moving standard
 *  deviations: the "drift" shown per BatchNorm layer. */
export function batchNormDrift(bn: BatchNormStats): number | null {
  const distances = channelDistances(bn);
  return distances.length ? Math.max(...distances.map((d) => d.meanDistance)) : null;
}
