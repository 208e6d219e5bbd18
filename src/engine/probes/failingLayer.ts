// Which layer an error came from. The layer tap (instrument.ts) attaches the innermost layer whose apply
// threw to the error, once, as a non-enumerable property; the runner reads it back to name the layer and
// the line where it was built (src/runner/missingKernel.ts).
import type { LayerInfo } from '../../protocol/report.ts';

export type FailingLayer = Pick<LayerInfo, 'id' | 'name' | 'className' | 'source'>;

const KEY = Symbol.for('tfjsDebugger.failingLayer');

/** Wraps a Layer.apply so that an error it throws carries the innermost failing layer. */
export function namingFailingLayer<A extends unknown[], R>(original: (this: object, ...args: A) => R, info: (layer: object) => LayerInfo): (this: object, ...args: A) => R {
  return function (this: object, ...args: A): R {
    try {
      return original.apply(this, args);
    } catch (e) {
      if (typeof e === 'object' && e !== null && !(KEY in e)) {
        const { id, name, className, source } = info(this);
        Object.defineProperty(e, KEY, { value: { id, name, className, source }, enumerable: false });
      }
      throw e;
    }
  };
}

export function failingLayerOf(error: unknown): FailingLayer | null {
  return typeof error === 'object' && error !== null ? ((error as Record<symbol, FailingLayer>)[KEY] ?? null) : null;
}
