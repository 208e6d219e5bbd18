// Number, time and place formatting for the panel. Every function returns plain text (rendered with Lit
// text bindings, never as HTML).
import type { SourceLocation } from '../src/protocol.ts';

/** A loss with 6 significant digits, as the CLI prints it; '—' when missing. */
export function loss(x: number | null | undefined): string {
  return sig(x, 6);
}

/** `digits` significant digits, exponent notation for very large or small magnitudes. */
export function sig(x: number | null | undefined, digits = 4): string {
  if (x == null) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x !== 0 && (Math.abs(x) >= 10 ** Math.max(digits, 5) || Math.abs(x) < 1e-4)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** The exact value, for title attributes. */
export function full(x: number | null | undefined): string {
  if (x == null) return 'not recorded';
  return String(x);
}

export function percent(share: number | null | undefined): string {
  if (share == null || !Number.isFinite(share)) return '—';
  return `${Math.round(share * 1000) / 10}%`;
}

export function duration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

export function basename(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}

/** `file.js:12`, short. */
export function place(source: SourceLocation): string {
  return `${basename(source.file)}:${source.line}`;
}

/** `/full/path/file.js:12:5`, for titles. */
export function fullPlace(source: SourceLocation): string {
  return `${source.file}:${source.line}:${source.column}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
