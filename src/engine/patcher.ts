// Replaces methods on tfjs's objects and puts every one back on uninstall, in reverse order. A method that cannot
// be replaced (a read-only export in some tfjs build) is left alone, with a warning for the run's log.
import type { TfjsObject } from './tfjs.ts';

/** A tfjs method, called through with whatever arguments it was given and returning whatever it returns: the
 *  wrappers neither know nor change either. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the patched surface is tfjs's, any version
export type TfjsMethod = (...args: any[]) => any;

export class Patcher {
  private readonly restores: (() => void)[] = [];

  constructor(private readonly warn: (message: string) => void) {}

  /** Replaces target[name] with make(original), when it is a function. */
  patch(target: TfjsObject | null | undefined, name: string, make: (original: TfjsMethod) => TfjsMethod): void {
    if (!target || typeof target[name] !== 'function') return;
    const original = target[name] as TfjsMethod;
    const own = Object.prototype.hasOwnProperty.call(target, name);
    try {
      target[name] = make(original);
    } catch {
      this.warn(`could not tap ${name} (read-only in this tfjs build); its calls are labelled "gradients"`);
      return;
    }
    this.onRestore(() => {
      if (own) target[name] = original;
      else delete target[name];
    });
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
