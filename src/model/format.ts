// The one place numbers, percentages, plurals, durations and places are written for people: findings, the
// CLI, hovers, Problems and the panel all use it, so a value reads the same everywhere. Pure and
// browser-safe (the webview bundles it). Minus signs are ASCII, so numbers copy into code as they are.
import type { SourceLocation } from '../protocol/report.ts';

/** `digits` significant digits; exponent form (5e-4, 1.23e+6) for magnitudes under 1e-3 or from 1e5 on. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x == null) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) {
    const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
    return `${Number(mantissa)}e${exponent}`;
  }
  return Number(x.toPrecision(digits)).toString();
}

/** The exact value, for a title (what a rounded number stands for). */
export function exact(x: number | null | undefined): string {
  return x == null ? 'not recorded' : String(x);
}

/** A loss: 6 significant digits. */
export function loss(x: number | null | undefined): string {
  return num(x, 6);
}

/** A fraction as a percentage a person can read: 0.1234 → 12%, 0.0751 → 7.5%, 0.00015 → 0.015%. `signed`
 *  adds a + for positive values (a change). */
export function percent(fraction: number | null | undefined, { signed = false }: { signed?: boolean } = {}): string {
  if (fraction == null || !Number.isFinite(fraction)) return '—';
  const p = fraction * 100;
  const a = Math.abs(p);
  const sign = p < 0 ? '-' : signed && p > 0 ? '+' : '';
  if (a === 0) return '0%';
  if (a < 0.1) return `${sign}${Number(a.toPrecision(2))}%`;
  const body = a < 10 ? String(Number(a.toFixed(1))) : String(Math.round(a));
  return `${sign}${body}%`;
}

/** The relative change from `from` to `to` as a signed percentage, or null when `from` is 0 or not finite. */
export function relativeChange(from: number | null | undefined, to: number | null | undefined): string | null {
  if (from == null || to == null || from === 0 || !Number.isFinite(from) || !Number.isFinite(to)) return null;
  return percent((to - from) / Math.abs(from), { signed: true });
}

/** A layer's share of a loss gap, in words: "64% of the gap", "-3% of the gap (it narrows it)". */
export function shareOfGap(share: number | null | undefined): string {
  if (share == null || !Number.isFinite(share)) return 'an unknown share of the gap';
  return share < 0 ? `${percent(share)} of the gap (it narrows it)` : `${percent(share)} of the gap`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A list for a sentence: "a", "a and b", "a, b and 3 more". */
export function listed(items: string[], max = 3): string {
  if (items.length <= 1) return items.join('');
  if (items.length <= max) return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
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

/** `file.js:12`, short; "an unknown place" when there is none. */
export function place(source: SourceLocation | null | undefined): string {
  return source ? `${basename(source.file)}:${source.line}` : 'an unknown place';
}

/** `/full/path/file.js:12:5`. */
export function fullPlace(source: SourceLocation): string {
  return `${source.file}:${source.line}:${source.column}`;
}
