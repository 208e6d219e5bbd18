// What a saved model may ask of the machine before anything is read or allocated: bytes on disk, weight and
// activation elements, layers. A model.json is data from anywhere (probing one is allowed in an untrusted
// workspace), so every size it declares is checked against these, with arithmetic that cannot overflow.
export const BUDGET = {
  /** model.json itself. */
  modelJsonBytes: 32 * 2 ** 20,
  /** All weight shards together, and so all weights (1 GiB). */
  weightBytes: 2 ** 30,
  /** Weight elements the model may build (the same 1 GiB as float32). */
  weightElements: 2 ** 28,
  /** Elements of one forward pass of the probe batch: every layer's output summed (512 MiB as float32). */
  activationElements: 2 ** 27,
  /** Layers in the topology, nested models included. */
  layers: 10_000,
  /** The --data file. */
  dataBytes: 32 * 2 ** 20,
} as const;

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
