// The arithmetic that holds a saved model's declared sizes to the input limits (src/protocol/inputLimits.ts)
// without overflowing, and the dimension tfjs can index.
/** Largest dimension accepted in a shape: tfjs indexes tensors with 32-bit integers. */
export const MAX_DIMENSION = 2 ** 31 - 1;

/**
 * Elements of a shape, or Infinity once the product passes `limit` (so 1e300 × 1e300 × 0 and 2^40 × 2^40 give
 * a number that compares, never NaN or an overflowed value). `null` dimensions count as `nullAs`.
 */
export function elementCount(shape: readonly (number | null)[], limit: number = Number.MAX_SAFE_INTEGER, nullAs = 1): number {
  const dims = shape.map((d) => (d == null ? nullAs : d));
  if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_DIMENSION)) return Infinity;
  if (dims.some((d) => d === 0)) return 0;
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > limit) return Infinity;
  }
  return n;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;
}
