// Runs one training step of a layer case (test/helpers/layerCatalog.ts) on a backend and returns what it
// computed: the loss, the gradient of every trainable weight and of each float input, and every weight
// after the step (BatchNormalization's moving statistics move in training mode). Randomness is made the
// same on every backend: Math.random is seeded before the layer is built and again before the step, and
// every tfjs random op without a seed draws its seed from Math.random (tfjs-core/src/ops/rand_util.ts).
import type * as TfNamespace from '@tensorflow/tfjs';
import type { InputSpec, Layer, LayerCase } from './layerCatalog.ts';

type Tf = typeof TfNamespace;
type Tensor = TfNamespace.Tensor;

/** Deterministic values in [-1, 1) (mulberry32). */
export function values(shape: number[], seed: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const next = mulberry32(seed);
  for (let i = 0; i < out.length; i++) out[i] = next() * 2 - 1;
  return out;
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

export interface StepResult {
  /** Labelled arrays: the loss (or the outputs of a forward-only case), gradients, weights after. */
  arrays: Array<{ label: string; values: Float32Array | Int32Array | Uint8Array }>;
}

function inputTensor(tf: Tf, spec: InputSpec, seed: number): Tensor {
  const v = values(spec.shape, seed);
  if (spec.dtype === 'int32') return tf.tensor(Int32Array.from(v, (x) => Math.floor((x + 1) / 2 * (spec.max ?? 2))), spec.shape, 'int32');
  const rowSize = spec.shape.slice(2).reduce((a, b) => a * b, 1);
  for (const step of spec.zeroSteps ?? []) {
    for (let b = 0; b < spec.shape[0]; b++) v.fill(0, (b * spec.shape[1] + step) * rowSize, (b * spec.shape[1] + step + 1) * rowSize);
  }
  return tf.tensor(v, spec.shape);
}

/** Same deterministic values for every weight on every backend; variances kept positive. */
function setWeights(tf: Tf, layer: Layer): void {
  const weights = layer.weights;
  if (weights.length === 0) return;
  layer.setWeights(weights.map((w, i) => {
    const shape = w.shape as number[]; // a built weight's shape is concrete
    const v = values(shape, 1000 + i);
    if (/variance/i.test(w.name)) for (let j = 0; j < v.length; j++) v[j] = 0.5 + Math.abs(v[j]);
    return tf.tensor(v, shape);
  }));
}

/** A weight's label without the layer's unique name (each backend builds its own layer): "#2 kernel". */
const weightLabel = (w: TfNamespace.LayerVariable, i: number): string => `#${i} ${w.name.split('/').pop()}`;

const asArray = (out: Tensor | Tensor[]): Tensor[] => (Array.isArray(out) ? out : [out]);

let variableCount = 0;

export interface LayerTrainer {
  /** One training step (or, forward only, one training-mode forward pass); returns what it computed. */
  step(): StepResult;
  /** The same step as a training loop makes it: only the loss (forward only: the outputs' sum) is read back. */
  lossOnlyStep(): number;
  dispose(): void;
}

/**
 * Builds the case on `backend` (registered and able to start) with every weight set to the same values,
 * ready to step; `forwardOnly`: the step is the training-mode forward pass.
 */
export async function layerTrainer(tf: Tf, backend: string, layerCase: LayerCase, forwardOnly = false): Promise<LayerTrainer> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const xs = layerCase.inputs.map((spec, i) => inputTensor(tf, spec, 10 + i));
  const apply = (layer: Layer, inputs: Tensor[], training: boolean): Tensor[] =>
    asArray(layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training }) as Tensor | Tensor[]);
  const layer = withSeededRandom(1, () => layerCase.build(tf));
  const differentiable = (x: Tensor) => x.dtype === 'float32' && !layerCase.noInputGradient;
  const inputVars = xs.map((x, i) => (differentiable(x) ? tf.variable(x, true, `audit_input_${i}_${++variableCount}`) : null));
  const dispose = () => {
    tf.dispose([...xs, ...inputVars.filter((v) => v != null)]);
    if (layer.built) layer.dispose();
  };
  try {
    tf.tidy(() => { apply(layer, xs, false); }); // builds the weights
    setWeights(tf, layer);
  } catch (e) {
    dispose();
    throw e;
  }
  if (layerCase.forwardOnly || forwardOnly) {
    return {
      step: () => {
        const outs = withSeededRandom(2, () => apply(layer, xs, true));
        const arrays = outs.map((o, i) => ({ label: `output ${i}`, values: o.dataSync() as Float32Array }));
        tf.dispose(outs);
        return { arrays };
      },
      lossOnlyStep: () => {
        const outs = withSeededRandom(2, () => apply(layer, xs, true));
        const total = tf.tidy(() => outs.map((o) => tf.sum(tf.cast(o, 'float32'))).reduce((a, b) => tf.add(a, b)));
        const value = total.dataSync()[0];
        tf.dispose([...outs, total]);
        return value;
      },
      dispose,
    };
  }
  const inputs = xs.map((x, i) => inputVars[i] ?? x);
  const trainable = layer.trainableWeights.map((w) => w.read() as TfNamespace.Variable);
  const varList = [...trainable, ...inputVars.filter((v): v is TfNamespace.Variable => v != null)];
  const loss = () => tf.tidy(() => {
    const outs = apply(layer, inputs, true);
    return outs.map((o, k) => tf.sum(tf.mul(o, tf.tensor(values(o.shape, 500 + k), o.shape)))).reduce((a, b) => tf.add(a, b)) as TfNamespace.Scalar;
  });
  return {
    step: () => {
      const { value, grads } = withSeededRandom(2, () => tf.variableGrads(loss, varList));
      const arrays: StepResult['arrays'] = [{ label: 'loss', values: value.dataSync() as Float32Array }];
      varList.forEach((v, i) => {
        const label = i < trainable.length ? `d ${weightLabel(layer.trainableWeights[i], i)}` : `d input ${i - trainable.length}`;
        arrays.push({ label, values: grads[v.name].dataSync() as Float32Array });
      });
      layer.weights.forEach((w, i) => arrays.push({ label: `${weightLabel(w, i)} after`, values: w.read().dataSync() as Float32Array }));
      tf.dispose([value, ...Object.values(grads)]);
      return { arrays };
    },
    lossOnlyStep: () => {
      const { value, grads } = withSeededRandom(2, () => tf.variableGrads(loss, varList));
      const v = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return v;
    },
    dispose,
  };
}

/** The case's step on `backend`: built, stepped once, disposed. */
export async function layerStep(tf: Tf, backend: string, layerCase: LayerCase, forwardOnly = false): Promise<StepResult> {
  const trainer = await layerTrainer(tf, backend, layerCase, forwardOnly);
  try {
    return trainer.step();
  } finally {
    trainer.dispose();
  }
}

/** Largest |a - b| over max(1, |b|max), per array: the audit's "relative" error. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let mag = 1;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    diff = Number.isNaN(d) ? (Number.isNaN(a[i]) && Number.isNaN(b[i]) ? diff : Infinity) : Math.max(diff, d);
    mag = Math.max(mag, Math.abs(b[i]));
  }
  return diff / mag;
}
