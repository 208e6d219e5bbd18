// Reductions over values already in JavaScript memory. On backends that keep tensors in host memory (cpu,
// wasm, tfjs-node) reading a layer's output is a copy at most (cpu hands back its own array:
// tfjs-backend-cpu/src/backend_cpu.ts, readSync; wasm copies from its heap: tfjs-backend-wasm/src/backend_wasm.ts),
// so one pass here costs less than dispatching the kernels that would reduce it, and needs no kept tensors.
// The sums are in float64.

export type Values = ArrayLike<number>;

/** Count of NaN and ±Inf values. The common case (none) costs one unrolled sum: any NaN or Inf makes it
 *  non-finite; only then (or on float32 overflow) are they counted one by one. */
export function nonFiniteCount(v: Values): number {
  const n = v.length;
  let a = 0, b = 0, c = 0, d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += v[i];
    b += v[i + 1];
    c += v[i + 2];
    d += v[i + 3];
  }
  for (; i < n; i++) a += v[i];
  if (Number.isFinite(a + b + c + d)) return 0;
  let count = 0;
  for (let j = 0; j < n; j++) if (!Number.isFinite(v[j])) count++;
  return count;
}

/** [mean, std, min, max, nanCount, infCount] over the finite values, in one pass (std is the population
 *  standard deviation, as tf.moments gives it). An empty or all-non-finite input gives NaN statistics. */
export function summarize(v: Values): [number, number, number, number, number, number] {
  let sum = 0, sumSq = 0, min = Infinity, max = -Infinity, nan = 0, inf = 0, finite = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== x) { nan++; continue; }
    if (x === Infinity || x === -Infinity) { inf++; continue; }
    finite++;
    sum += x;
    sumSq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (finite === 0) return [NaN, NaN, NaN, NaN, nan, inf];
  const mean = sum / finite;
  return [mean, Math.sqrt(Math.max(0, sumSq / finite - mean * mean)), min, max, nan, inf];
}

/** Euclidean norm, as tf.norm gives it. */
export function euclideanNorm(v: Values): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
