// Helpers the rules share: layer lookup, formatting of numbers and places.
import type { GradientCallRecord, LayerInfo, RunReport, SourceLocation } from '../../protocol.ts';


export function layerById(report: RunReport): Map<number, LayerInfo> {
  return new Map(report.layers.map((l) => [l.id, l]));
}

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x == null) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

export function place(source: SourceLocation | null): string {
  return source ? `${basename(source.file)}:${source.line}` : 'an unknown place';
}

export function callLabel(call: GradientCallRecord): string {
  return `gradient call ${call.index} (${call.api}${call.source ? ` at ${place(call.source)}` : ''})`;
}

/** Relative loss gap, tolerance-scaled: |a - b| > tol * max(1, |b|). */
export function lossesDiffer(a: number | null, b: number | null, tolerance: number): boolean {
  if (a == null || b == null) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) > tolerance * Math.max(1, Math.abs(b));
}
