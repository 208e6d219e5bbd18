// The tfjs the engine instruments: the user's own copy of tfjs 4.x (or the bundled one), loaded by the runner.
// Typed by tfjs-core's and tfjs-layers' own declarations (the bundled 4.22: any 4.x has the same shape), plus
// structural types for what the taps read or replace that tfjs declares private or protected.
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** @tensorflow/tfjs-core */
export type TfjsCore = typeof tfc;
/** @tensorflow/tfjs-layers */
export type TfjsLayers = typeof tfl;
export type Tensor = tfc.Tensor;
export type Variable = tfc.Variable;
export type KernelBackend = tfc.KernelBackend;
export type DataId = tfc.DataId;
export type NamedTensorMap = tfc.NamedTensorMap;
export type DataType = tfc.DataType;
export type NamedAttrMap = tfc.NamedAttrMap;
export type KernelConfig = tfc.KernelConfig;

/** The object a module's exports, a prototype or the engine is, when the taps replace one of its members. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- what is replaced is tfjs's, of any 4.x version
export type TfjsObject = Record<string, any>;

/** What Engine.runKernelFunc is called with (tfjs-core/src/engine.ts: runKernel passes a kernel's name, inputs
 *  and attributes; a customGrad passes its forward function and no name). */
export interface KernelParams {
  kernelName?: string;
  inputs?: Record<string, Tensor | null>;
  attrs?: NamedAttrMap;
}

/** The engine's members the taps use that tfjs-core declares private: its kernel entry point and its tensor
 *  bookkeeping. */
interface EngineInternals {
  runKernelFunc(params: KernelParams): Tensor | Tensor[];
  /** The backend in use, read without the `backend` getter, which would initialise one (tfjs-core/src/engine.ts). */
  backendInstance?: KernelBackend | null;
}

/** tfjs-core's engine (tf.engine()): its public members (a mapped type, which leaves the private ones out) and the
 *  private ones the taps use. */
export type Engine = Omit<ReturnType<TfjsCore['engine']>, never> & EngineInternals;
export type NamedTensorInfoMap = tfc.NamedTensorInfoMap;
export type BackendValues = tfc.backend_util.BackendValues;

export function engineOf(core: TfjsCore): Engine {
  // tfjs declares the members the taps use private: the cast adds them (EngineInternals) to the public ones.
  return core.engine() as unknown as Engine;
}

/** A layer's weight (tfjs-layers/src/variables.ts). */
export interface LayerVariable {
  readonly name: string;
  trainable: boolean;
  read(): Variable;
}

/**
 * What the engine reads of a tfjs-layers Layer (tfjs-layers/src/engine/topology.ts), protected members and those of
 * the subclasses it looks at included: a model's layers and compile state, a BatchNormalization's moving
 * statistics and settings.
 */
export interface Layer {
  readonly name: string;
  trainable: boolean;
  /** The flag itself, under the `trainable` accessor (protected). */
  trainable_?: boolean;
  readonly weights: LayerVariable[];
  readonly trainableWeights: LayerVariable[];
  /** The layer's own trainable weights (protected). */
  _trainableWeights?: LayerVariable[];
  apply(inputs: unknown, kwargs?: Record<string, unknown>): unknown;
  getClassName(): string;
  readonly outputShape?: unknown;
  /** A model's layers. */
  layers?: Layer[];
  /** A Sequential's inner model. */
  model?: Layer;
  /** What the last compile collected to train (tfjs-layers/src/engine/training.ts). */
  collectedTrainableWeights?: LayerVariable[];
  /** BatchNormalization (tfjs-layers/src/layers/normalization.ts). */
  movingMean?: LayerVariable;
  movingVariance?: LayerVariable;
  axis?: number;
  momentum?: number;
  epsilon?: number;
}

/** A layer class, as a value. */
export type LayerClass = { prototype: Layer } & (abstract new (...args: never[]) => unknown);

export interface TfjsModules {
  core: TfjsCore;
  /** Null when the user's project uses tfjs-core alone. */
  layers: TfjsLayers | null;
}

/** tfjs-layers exports its base Layer class on the `layers` namespace (tfjs-layers/src/exports_layers.ts). */
export function layerBaseClass(layers: TfjsLayers | null): LayerClass | null {
  return (layers?.layers?.Layer as unknown as LayerClass | undefined) ?? null;
}

/** Every optimizer class tfjs-core exports. Each overrides applyGradients, so each is tapped on its own. */
export function optimizerClasses(core: TfjsCore): { prototype: TfjsObject }[] {
  const base = core.Optimizer;
  const exports = core as unknown as Record<string, unknown>;
  // Only the *Optimizer exports are read: some other exports are getters with side effects.
  return Object.keys(core).filter((k) => k.endsWith('Optimizer')).map((k) => exports[k]).filter(
    (v): v is { prototype: TfjsObject } => typeof v === 'function' && v !== base && v.prototype instanceof base &&
      Object.prototype.hasOwnProperty.call(v.prototype, 'applyGradients'),
  );
}

export function isTensor(core: TfjsCore, x: unknown): x is Tensor {
  return x instanceof core.Tensor;
}

export function firstTensor(core: TfjsCore, x: unknown): Tensor | null {
  if (Array.isArray(x)) return x.length > 0 && isTensor(core, x[0]) ? x[0] : null;
  return isTensor(core, x) ? x : null;
}

/** Live tensors, read without initialising a backend (tf.memory() would). */
export function liveTensorCount(core: TfjsCore): number {
  return Number(core.engine().state.numTensors);
}
