// Keeps long series drawable: per x bucket (about one per pixel), the points where any series has its
// minimum or maximum, plus the first and last point, so spikes survive downsampling.

/** Indices into `x` to draw. Returns every index when there are no more than 2 points per bucket. */
export function minMaxIndices(x: ArrayLike<number>, series: ArrayLike<number | null>[], buckets: number): number[] {
  const n = x.length;
  buckets = Math.max(1, Math.floor(buckets));
  if (n <= buckets * 2) return Array.from({ length: n }, (_, i) => i);
  const x0 = x[0];
  const span = x[n - 1] - x0 || 1;
  const keep = new Set<number>([0, n - 1]);
  let bucket = -1;
  let minI: number[] = [];
  let maxI: number[] = [];
  const flush = () => {
    for (const i of minI) if (i >= 0) keep.add(i);
    for (const i of maxI) if (i >= 0) keep.add(i);
  };
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor(((x[i] - x0) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      minI = series.map(() => -1);
      maxI = series.map(() => -1);
      keep.add(i);
    }
    for (let s = 0; s < series.length; s++) {
      const v = series[s][i];
      if (v == null || Number.isNaN(v)) continue;
      if (minI[s] < 0 || v < (series[s][minI[s]] as number)) minI[s] = i;
      if (maxI[s] < 0 || v > (series[s][maxI[s]] as number)) maxI[s] = i;
    }
  }
  flush();
  return [...keep].sort((a, b) => a - b);
}

export function pick<T>(values: ArrayLike<T>, indices: number[]): T[] {
  return indices.map((i) => values[i]);
}
