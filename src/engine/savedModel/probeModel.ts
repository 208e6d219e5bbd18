// Probes a saved TF.js layers model (model.json and its weight shards) with no user code: loads it from
// disk, builds a batch (the --data file, or a seeded synthetic one whose targets are the model's own
// inference outputs, so lossBefore is 0 under mean squared error), and makes one gradient call through
// trainOnBatch with a zero learning rate. The instrumentation records it like any training step. Nothing is
// allocated past the budgets (budgets.ts): the weights a layer builds must be ones the manifest
// lists, and the batch is sized so that one forward pass stays within the activation budget.
import type { SourceLocation } from '../../protocol/report.ts';
import { BUDGET } from '../../protocol/inputLimits.ts';
import { elementCount } from './budgets.ts';
import { layerClassNames, layerNamePositions, ModelJsonError, modelJsonText, parseModelJson } from './modelJson.ts';
import { Patcher } from '../patcher.ts';
import { layerBaseClass, type Layer, type Tensor, type TfjsCore, type TfjsLayers, type TfjsObject } from '../tfjs.ts';
import { readInputFile, readModelJson, readShards } from './modelFiles.ts';

type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;
type ModelArtifacts = import('@tensorflow/tfjs-core').io.ModelArtifacts;
type SymbolicTensor = LayersModel['inputs'][number];
type TensorLike = Parameters<TfjsCore['tensor']>[0];

/** The batch a probe makes its one gradient call on: the inputs, and the targets (null: the model's own outputs). */
interface Batch {
  xs: Tensor | Tensor[];
  ys: Tensor | Tensor[] | null;
}

/** A layer, or a model input, whose output shape counts against the activation budget. */
type ShapedLayer = Pick<Layer, 'name' | 'outputShape'> & { layers?: Layer[] };

/** What syntheticBatch reads of a model's graph (tfjs-layers/src/engine/container.ts, protected). */
interface ModelInternals {
  inputLayers?: { outboundNodes?: { outboundLayer?: { getClassName?(): string; inputDim?: number } }[] }[];
}

export interface SavedModelProbe {
  /** Where each layer (by name) is declared in model.json. */
  layerSource: (layerName: string) => SourceLocation | null;
  run: () => Promise<void>;
}

const SYNTHETIC_BATCH = 8;
const SEED = 1234;

export function prepareSavedModelProbe(core: TfjsCore, layers: TfjsLayers | null, modelPath: string, dataFile: string | null): SavedModelProbe {
  const text = readModelJson(modelPath);
  const parsed = parseModelJson(text, modelPath);
  const positions = layerNamePositions(text, modelPath);
  return {
    layerSource: (name) => positions.get(name) ?? null,
    run: () => {
      const variablesBefore = new Set(Object.keys(core.engine().registeredVariables));
      return run().catch((e) => {
        // A model that failed half-way through loading leaves its weights registered: free them.
        for (const [name, v] of Object.entries(core.engine().registeredVariables)) if (!variablesBefore.has(name)) v.dispose();
        // The model is the input: whatever fails while probing it is a problem with that input.
        throw e instanceof ModelJsonError ? e : new ModelJsonError(`${modelPath}: tfjs could not run the model: ${e?.message ?? String(e)}`, modelPath);
      });
    },
  };

  async function run(): Promise<void> {
    if (!layers) throw new Error('@tensorflow/tfjs-layers is not loaded');
    const weightData = readShards(modelPath, parsed.weightsManifest);
    let model: LayersModel;
    const restore = limitBuiltWeights(layers, parsed.weightElements, (layer, name, shape) => new ModelJsonError(
      `${modelPath}: layer ${layer} builds a weight ${name} of shape ${JSON.stringify(shape)} that the weights manifest does not hold ` +
      `(it lists ${parsed.weightElements} values in all). The topology and the weights do not match: save the model again.`,
      modelPath, positions.get(layer)?.line ?? null));
    try {
      model = await layers.loadLayersModel(core.io.fromMemory({
        modelTopology: parsed.modelTopology,
        weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights),
        weightData,
        trainingConfig: (parsed.trainingConfig ?? undefined) as ModelArtifacts['trainingConfig'],
      } as ModelArtifacts));
    } catch (e) {
      throw e instanceof ModelJsonError ? e : explainLoadError(e, text, modelPath);
    } finally {
      restore();
    }
    let batch: Batch | null = null;
    const optimizer = core.train.sgd(0);
    try {
      const perExample = activationsPerExample(model, modelPath);
      batch = dataFile ? readData(core, model, dataFile, perExample) : syntheticBatch(core, model, perExample);
      model.compile({ optimizer, loss: lossOf(parsed.trainingConfig, model) });
      const targets = batch.ys ?? model.predict(batch.xs);
      await model.trainOnBatch(batch.xs, targets);
      if (!batch.ys) core.dispose(targets);
    } finally {
      core.dispose([batch?.xs, batch?.ys].flat().filter((t): t is Tensor => t != null));
      optimizer.dispose();
      model.dispose();
    }
  }
}

function explainLoadError(e: unknown, text: string, modelPath: string): ModelJsonError {
  const message = e instanceof Error ? e.message : String(e);
  const unknown = /Unknown (?:layer|class_name)[^:]*: (\w+)/i.exec(message);
  if (unknown) {
    const at = layerClassNames(text).find((c) => c.className === unknown[1]);
    return new ModelJsonError(
      `${modelPath}: unknown layer class ${unknown[1]}${at ? ` (line ${at.line})` : ''}. A custom layer cannot be probed from ` +
      'a saved model; debug the training script that registers it instead.', modelPath, at?.line ?? null);
  }
  return new ModelJsonError(`${modelPath}: tfjs could not build the model from it: ${message}`, modelPath);
}

/**
 * While a saved model is built, every weight a layer adds must fit in what the manifest lists: a layer of
 * 200,000,000 units with no weights saved is refused before its initializer allocates anything.
 */
function limitBuiltWeights(layers: TfjsLayers, listed: number, refuse: (layer: string, name: string, shape: unknown) => Error): () => void {
  const patcher = new Patcher(() => undefined);
  let built = 0;
  // Layer.addWeight is protected: the patch reaches it on the prototype.
  patcher.patch(layerBaseClass(layers)?.prototype as TfjsObject | undefined, 'addWeight', (original) => function (this: Layer, name: string, shape: number[], ...rest: unknown[]) {
    built += Array.isArray(shape) ? elementCount(shape, BUDGET.weightElements) : Infinity;
    if (built > listed) throw refuse(String(this?.name), String(name), shape);
    return original.call(this, name, shape, ...rest);
  });
  return () => patcher.restoreAll();
}

/** The output shapes of a layer ([] when tfjs cannot say: a layer called on inputs of different shapes). */
function outputShapes(layer: Pick<Layer, 'outputShape'>): (number | null)[][] {
  let shape: unknown;
  try {
    shape = layer.outputShape;
  } catch {
    return [];
  }
  if (!Array.isArray(shape)) return [];
  return Array.isArray(shape[0]) ? shape as (number | null)[][] : [shape as (number | null)[]];
}

/** Values every layer's outputs hold for one example (unknown sizes as SYNTHETIC_DIM), nested models included;
 *  refused over the activation budget. */
function activationsPerExample(model: LayersModel, modelPath: string): number {
  let total = 0;
  const stack: ShapedLayer[] = [...(model.layers as unknown as Layer[]), ...model.inputs.map((input) => ({ name: input.name, outputShape: input.shape }))];
  while (stack.length) {
    const layer = stack.pop() as ShapedLayer;
    if (Array.isArray(layer.layers)) stack.push(...layer.layers);
    for (const shape of outputShapes(layer)) {
      total += elementCount(shape.slice(1), BUDGET.activationElements, SYNTHETIC_DIM);
      if (total > BUDGET.activationElements) {
        throw new ModelJsonError(`${modelPath}: one example through the model makes more than ${BUDGET.activationElements} values ` +
          `(layer ${layer.name} outputs shape ${JSON.stringify(shape)}), more than the probe allocates. The shapes are likely corrupt.`, modelPath);
      }
    }
  }
  return Math.max(1, total);
}

const SYNTHETIC_DIM = 8;

/** One batch per input: seeded normal values, or small integer ids for inputs that feed an Embedding. */
function syntheticBatch(core: TfjsCore, model: LayersModel, perExample: number): Batch {
  let batch = SYNTHETIC_BATCH;
  while (batch > 1 && batch * perExample > BUDGET.activationElements) batch = Math.floor(batch / 2);
  const inputLayers = (model as unknown as ModelInternals).inputLayers;
  const xs = model.inputs.map((input, i) => {
    const shape = [batch, ...input.shape.slice(1).map((d) => d ?? SYNTHETIC_DIM)];
    const consumer = inputLayers?.[i]?.outboundNodes?.[0]?.outboundLayer;
    if (consumer?.getClassName?.() === 'Embedding') {
      return core.floor(core.randomUniform(shape, 0, Math.min(Number(consumer.inputDim) || 2, 16), 'float32', SEED + i));
    }
    return core.randomNormal(shape, 0, 1, 'float32', SEED + i);
  });
  return { xs: xs.length === 1 ? xs[0] : xs, ys: null };
}

function readData(core: TfjsCore, model: LayersModel, dataFile: string, perExample: number): Batch {
  const bytes = readInputFile(dataFile, BUDGET.dataBytes, 'the batch to probe with ({"x": [...], "y": [...]})');
  let data: { x?: unknown; y?: unknown };
  try {
    data = JSON.parse(modelJsonText(bytes));
  } catch (e) {
    throw new ModelJsonError(`${dataFile}: cannot read the data file: ${(e as Error).message}. It must be JSON: {"x": [...], "y": [...]}.`, dataFile);
  }
  if (typeof data !== 'object' || data === null || !Array.isArray(data.x)) {
    throw new ModelJsonError(`${dataFile} must be a JSON object {"x": [...], "y": [...]} with x a nested array of numbers.`, dataFile);
  }
  const examples = model.inputs.length === 1 ? data.x.length : Array.isArray(data.x[0]) ? data.x[0].length : 0;
  if (examples * perExample > BUDGET.activationElements) {
    throw new ModelJsonError(`${dataFile}: ${examples} examples through the model make more than ${BUDGET.activationElements} values, more than the probe allocates. Give a smaller batch.`, dataFile);
  }
  const toTensors = (value: unknown, specs: SymbolicTensor[], what: 'x' | 'y') => {
    const values = specs.length === 1 ? [value] : value;
    if (!Array.isArray(values) || values.length !== specs.length) {
      throw new ModelJsonError(`${dataFile}: the model has ${specs.length} ${what === 'x' ? 'inputs' : 'outputs'}, so ${what} must be a list of ${specs.length} arrays.`, dataFile);
    }
    const made: Tensor[] = [];
    try {
      for (const [i, v] of values.entries()) made.push(toTensor(v, i));
    } catch (e) {
      core.dispose(made);
      throw e;
    }
    return made;
    function toTensor(v: unknown, i: number): Tensor {
      let t: Tensor;
      try {
        t = core.tensor(v as TensorLike);
      } catch (e) {
        throw new ModelJsonError(`${dataFile}: ${what} is not a rectangular nested array of numbers (${(e as Error).message}).`, dataFile);
      }
      const expected: (number | null)[] = specs[i].shape;
      const fits = t.rank === expected.length && expected.every((d, k) => k === 0 || d == null || d === t.shape[k]);
      if (!fits) {
        t.dispose();
        throw new ModelJsonError(`${dataFile}: ${what} has shape ${JSON.stringify(t.shape)}, but the model's ${what === 'x' ? 'input' : 'output'} ${specs[i].name} has shape ${JSON.stringify(expected)} (null: any size).`, dataFile);
      }
      return t;
    }
  };
  const xs = toTensors(data.x, model.inputs, 'x');
  let ys: Tensor[] | null = null;
  try {
    ys = data.y === undefined ? null : toTensors(data.y, model.outputs, 'y');
    if (ys && ys[0].shape[0] !== xs[0].shape[0]) {
      throw new ModelJsonError(`${dataFile}: x has ${xs[0].shape[0]} examples but y has ${ys[0].shape[0]}.`, dataFile);
    }
  } catch (e) {
    core.dispose([...xs, ...(ys ?? [])]);
    throw e;
  }
  return { xs: xs.length === 1 ? xs[0] : xs, ys: ys == null ? null : ys.length === 1 ? ys[0] : ys };
}

/** The loss the model was trained with, from its saved training config, else mean squared error. */
function lossOf(trainingConfig: unknown, model: LayersModel): string | string[] {
  const loss = (trainingConfig as { loss?: unknown } | null)?.loss;
  if (typeof loss === 'string') return loss;
  if (Array.isArray(loss) && loss.every((l) => typeof l === 'string') && loss.length === model.outputs.length) return loss;
  return 'meanSquaredError';
}
