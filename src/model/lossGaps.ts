// When two losses of the same call differ: the one test the engine (whether to attribute a gap) and the
// diagnosis rules (which calls have a gap) share, so that both count the same gaps.

/** Relative loss gap, tolerance-scaled: |a - b| > tol * max(1, |b|). */
export function lossesDiffer(a: number | null, b: number | null, tolerance: number): boolean {
  if (a == null || b == null) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) > tolerance * Math.max(1, Math.abs(b));
}

/** The size of a gap relative to the inference-mode loss, for choosing the largest. */
export function relativeGap(during: number, before: number): number {
  return Math.abs(during - before) / Math.max(Math.abs(before), 1e-12);
}
