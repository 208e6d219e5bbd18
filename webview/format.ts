// Formatting for the panel: the one format module the CLI, hovers and findings use (src/model/format.ts), plus
// what only the panel needs. Every function returns plain text (rendered with Lit text bindings, never as
// HTML).
export { basename, duration, fullPlace, loss, num as sig, percent, place, plural } from '../src/model/format.ts';

/** The exact value, for title attributes. */
export function full(x: number | null | undefined): string {
  if (x == null) return 'not recorded';
  return String(x);
}
