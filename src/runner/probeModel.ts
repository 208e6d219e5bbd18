// Probes a saved TF.js layers model (model.json and its weight shards) with no user code: loads it from
// disk, builds a batch (the --data file, or a seeded synthetic one whose targets are the model's own
// inference outputs, so lossBefore is 0 under mean squared error), and makes one gradient call through
// trainOnBatch with a zero learning rate. The instrumentation records it like any training step.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { SourceLocation } from '../protocol.ts';
import {
  expectedBytes, layerClassNames, layerNamePositions, MAX_ELEMENTS, ModelJsonError, parseModelJson,
} from '../core/savedModel/modelJson.ts';

export interface SavedModelProbe {
  /** Where each layer (by name) is declared in model.json. */
  layerSource: (layerName: string) => SourceLocation | null;
  run: () => Promise<void>;
}

const SYNTHETIC_BATCH = 8;
const SEED = 1234;

export function prepareSavedModelProbe(core: any, layers: any, modelPath: string, dataFile: string | null): SavedModelProbe {
  const text = readFileSync(modelPath, 'utf8');
  const parsed = parseModelJson(text, modelPath);
  const positions = layerNamePositions(text, modelPath);
  return {
    layerSource: (name) => positions.get(name) ?? null,
    run: () => {
      const variablesBefore = new Set(Object.keys(core.engine().registeredVariables));
      return run().catch((e) => {
        // A model that failed half-way through loading leaves its weights registered: free them.
        for (const [name, v] of Object.entries<any>(core.engine().registeredVariables)) if (!variablesBefore.has(name)) v.dispose();
        // The model is the input: whatever fails while probing it is a problem with that input.
        throw e instanceof ModelJsonError ? e : new ModelJsonError(`${modelPath}: tfjs could not run the model: ${e?.message ?? String(e)}`, modelPath);
      });
    },
  };

  async function run(): Promise<void> {
    const weightData = readShards(modelPath, parsed.weightsManifest);
    let model: any;
    try {
      model = await layers.loadLayersModel(core.io.fromMemory({
        modelTopology: parsed.modelTopology,
        weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights),
        weightData,
        trainingConfig: parsed.trainingConfig ?? undefined,
      }));
    } catch (e) {
      throw explainLoadError(e, text, modelPath);
    }
    let batch: { xs: any; ys: any } | null = null;
    const optimizer = core.train.sgd(0);
    try {
      batch = dataFile ? readData(core, model, dataFile) : syntheticBatch(core, model);
      model.compile({ optimizer, loss: lossOf(parsed.trainingConfig, model) });
      const targets = batch.ys ?? model.predict(batch.xs);
      await model.trainOnBatch(batch.xs, targets);
      if (!batch.ys) core.dispose(targets);
    } finally {
      core.dispose([batch?.xs, batch?.ys].flat().filter(Boolean));
      optimizer.dispose();
      model.dispose();
    }
  }
}

function readShards(modelPath: string, manifest: ReturnType<typeof parseModelJson>['weightsManifest']): ArrayBuffer {
  const dir = path.dirname(modelPath);
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    const parts = group.paths.map((p) => {
      const shard = path.resolve(dir, p);
      if (!existsSync(shard) || !statSync(shard).isFile()) {
        throw new ModelJsonError(`${modelPath}: weight shard ${p} is missing (looked for ${shard}). Copy the .bin files saved with the model next to model.json.`, modelPath);
      }
      return readFileSync(shard);
    });
    const have = parts.reduce((s, b) => s + b.length, 0);
    const need = expectedBytes(group);
    if (have !== need) {
      throw new ModelJsonError(
        `${modelPath}: the weight shards ${group.paths.join(', ')} hold ${have} bytes, but the weights listed for them need ${need}. ` +
        `A shard is ${have < need ? 'truncated' : 'from another model'}: save the model again.`, modelPath);
    }
    buffers.push(...parts);
  }
  const all = Buffer.concat(buffers);
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
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

function elements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** One batch per input: seeded normal values, or small integer ids for inputs that feed an Embedding. */
function syntheticBatch(core: any, model: any): { xs: any; ys: null } {
  const xs = model.inputs.map((input: any, i: number) => {
    const dims = input.shape.slice(1).map((d: number | null) => d ?? 8);
    let batch = SYNTHETIC_BATCH;
    while (batch > 1 && elements([batch, ...dims]) > MAX_ELEMENTS) batch = Math.floor(batch / 2);
    const shape = [batch, ...dims];
    if (elements(shape) > MAX_ELEMENTS) {
      throw new ModelJsonError(`the model's input ${input.name} has shape ${JSON.stringify(input.shape)}: one example is larger than the probe allocates (${MAX_ELEMENTS} values).`, '');
    }
    const consumer = model.inputLayers?.[i]?.outboundNodes?.[0]?.outboundLayer;
    if (consumer?.getClassName?.() === 'Embedding') {
      return core.floor(core.randomUniform(shape, 0, Math.min(Number(consumer.inputDim) || 2, 16), 'float32', SEED + i));
    }
    return core.randomNormal(shape, 0, 1, 'float32', SEED + i);
  });
  return { xs: xs.length === 1 ? xs[0] : xs, ys: null };
}

function readData(core: any, model: any, dataFile: string): { xs: any; ys: any } {
  let data: any;
  try {
    data = JSON.parse(readFileSync(dataFile, 'utf8'));
  } catch (e) {
    throw new ModelJsonError(`${dataFile}: cannot read the data file: ${(e as Error).message}. It must be JSON: {"x": [...], "y": [...]}.`, dataFile);
  }
  if (typeof data !== 'object' || data === null || !Array.isArray(data.x)) {
    throw new ModelJsonError(`${dataFile} must be a JSON object {"x": [...], "y": [...]} with x a nested array of numbers.`, dataFile);
  }
  const toTensors = (value: any, specs: any[], what: 'x' | 'y') => {
    const values = specs.length === 1 ? [value] : value;
    if (!Array.isArray(values) || values.length !== specs.length) {
      throw new ModelJsonError(`${dataFile}: the model has ${specs.length} ${what === 'x' ? 'inputs' : 'outputs'}, so ${what} must be a list of ${specs.length} arrays.`, dataFile);
    }
    const made: any[] = [];
    try {
      for (const [i, v] of values.entries()) made.push(toTensor(v, i));
    } catch (e) {
      core.dispose(made);
      throw e;
    }
    return made;
    function toTensor(v: any, i: number): any {
      let t: any;
      try {
        t = core.tensor(v);
      } catch (e) {
        throw new ModelJsonError(`${dataFile}: ${what} is not a rectangular nested array of numbers (${(e as Error).message}).`, dataFile);
      }
      const expected: (number | null)[] = specs[i].shape;
      const fits = t.rank === expected.length && expected.every((d, k) => k === 0 || d == null || d === t.shape[k]);
      if (!fits) {
        t.dispose();
        throw new ModelJsonError(`${dataFile}: ${what} has shape ${JSON.stringify(t.shape)}, but the model's ${what === 'x' ? 'input' : 'output'} ${specs[i].name} has shape ${JSON.stringify(expected)} (null: any size).`, dataFile);
      }
      if (t.size > MAX_ELEMENTS) {
        t.dispose();
        throw new ModelJsonError(`${dataFile}: ${what} holds ${t.size} values, more than the probe allocates (${MAX_ELEMENTS}).`, dataFile);
      }
      return t;
    }
  };
  const xs = toTensors(data.x, model.inputs, 'x');
  let ys: any[] | null = null;
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
function lossOf(trainingConfig: any, model: any): string | string[] {
  const loss = trainingConfig?.loss;
  if (typeof loss === 'string') return loss;
  if (Array.isArray(loss) && loss.every((l) => typeof l === 'string') && loss.length === model.outputs.length) return loss;
  return 'meanSquaredError';
}
