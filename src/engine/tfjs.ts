// The tfjs modules the engine instruments. They are the user's own copies (or the bundled ones), loaded by
// the runner, so they are typed loosely: any tfjs 4.x works, whatever its exact typings.

export type Tensor = any;
export type Layer = any;
/** An object of tfjs's whose members the taps replace (a prototype, a module's exports, the engine). */
export type TfjsObject = Record<string, any>;

export type TfjsCore = any;
export type Engine = any;

export interface TfjsModules {
  /** @tensorflow/tfjs-core */
  core: any;
  /** @tensorflow/tfjs-layers, or null when the user's project uses tfjs-core alone. */
  layers: any | null;
}

/** tfjs-layers exports its base Layer class on the `layers` namespace (tfjs-layers/src/exports_layers.ts). */
export function layerBaseClass(layers: any): any {
  return layers?.layers?.Layer ?? null;
}

/** Every optimizer class tfjs-core exports. Each overrides applyGradients, so each is tapped on its own. */
export function optimizerClasses(core: any): any[] {
  const base = core.Optimizer;
  // Only the *Optimizer exports are read: some other exports are getters with side effects.
  return Object.keys(core).filter((k) => k.endsWith('Optimizer')).map((k) => core[k]).filter(
    (v: any) => typeof v === 'function' && v !== base && v.prototype instanceof base &&
      Object.prototype.hasOwnProperty.call(v.prototype, 'applyGradients'),
  );
}

export function isTensor(core: any, x: unknown): boolean {
  return x instanceof core.Tensor;
}

export function firstTensor(core: any, x: unknown): Tensor | null {
  if (Array.isArray(x)) return x.length > 0 && isTensor(core, x[0]) ? x[0] : null;
  return isTensor(core, x) ? x : null;
}

/** Live tensors, read without initialising a backend (tf.memory() would). */
export function liveTensorCount(core: TfjsCore): number {
  return Number(core.engine().state.numTensors);
}
