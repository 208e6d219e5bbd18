// Replaces methods on tfjs's objects and puts every one back on uninstall, in reverse order. A method that cannot
// be replaced (a read-only export in some tfjs build) is left alone, with a warning for the run's log.
import type { TfjsObject } from './tfjs.ts';

// Convention: a replacement calls the method it replaces as `original` (`original(...)`, `original.call(...)`,
// `original.apply(...)`). The page bench tells the agent's own work from the page's work it calls through to by
// that name (bench/agentShare.ts).

/** A tfjs method, called through with whatever arguments it was given and returning whatever it returns: the
 *  wrappers neither know nor change either. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the patched surface is tfjs's, any version
export type TfjsMethod = (...args: any[]) => any;

export class Patcher {
  private readonly restores: (() => void)[] = [];

  constructor(private readonly warn: (message: string) => void) {}

  /** Replaces target[name] with make(original), when it is a function. Returns whether it did: an ES-module
   *  build of tfjs (a page's bundler) exposes namespaces whose exports have getters only. When it cannot, the run's
   *  log says what the user loses (`lost`), or nothing when the caller makes up for it (`lost` null). */
  patch(target: TfjsObject | null | undefined, name: string, make: (original: TfjsMethod) => TfjsMethod, lost?: string | null): boolean {
    if (!target || typeof target[name] !== 'function') return false;
    const original = target[name] as TfjsMethod;
    const own = Object.prototype.hasOwnProperty.call(target, name);
    const replacement = make(original);
    try {
      target[name] = replacement;
    } catch {
      // read-only: left as it is
    }
    if (target[name] !== replacement) {
      if (lost !== null) this.warn(`${name} is read-only in this tfjs build (an ES module namespace), so the debugger cannot wrap it${lost ? `: ${lost}` : ''}`);
      return false;
    }
    this.onRestore(() => {
      try {
        if (own) target[name] = original;
        else delete target[name];
      } catch {
        // it took the replacement, it takes the original back
      }
    });
    return true;
  }

  /** Something else to undo on uninstall. */
  onRestore(restore: () => void): void {
    this.restores.push(restore);
  }

  /** Undoes everything, last first. */
  restoreAll(): void {
    for (const restore of this.restores.reverse()) restore();
    this.restores.length = 0;
  }
}
