// Reads and checks a TF.js layers-model model.json before anything is allocated: every way the file can be
// broken gets one clear sentence naming the file, the line where there is one, and the fix. Every size it
// declares is held to the budgets (budgets.ts) here, before a shard is opened or a tensor made.
import { UsageError } from '../../model/errors.ts';
import type { SourceLocation } from '../../protocol/report.ts';
import { BUDGET } from '../../protocol/inputLimits.ts';
import { elementCount, MAX_DIMENSION, mib } from './budgets.ts';
import { LineIndex } from './lineIndex.ts';

/** A model.json, shard or data file that cannot be probed. */
export class ModelJsonError extends UsageError {
  declare readonly file: string;

  constructor(message: string, file: string, line: number | null = null) {
    super(message, file, line);
  }
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** JSON read from a file anyone may have written: each field is checked where it is read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the checks below narrow it
type UncheckedJson = any;

export interface ModelJson {
  /** The layers topology, an object with a class_name (checked), handed to tfjs as it is. */
  modelTopology: object;
  weightsManifest: WeightGroup[];
  /** The saved training config, handed to tfjs as it is. */
  trainingConfig: unknown;
  format: string | null;
  /** Elements of every weight the manifest lists: all the model may build. */
  weightElements: number;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2 };

/** The text of a model.json as tfjs reads it: a UTF-8 byte order mark is dropped, as tfjs's fetch does. */
export function modelJsonText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parseModelJson(text: string, file: string): ModelJson {
  let json: UncheckedJson;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = m ? new LineIndex(text).at(Number(m[1])) : null;
    throw new ModelJsonError(
      `${file} is not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}: ${(e as Error).message}. ` +
      'Save the model again with model.save(...) or fix the file.', file, at?.line ?? null);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelJsonError(`${file} holds no model: expected an object with modelTopology and weightsManifest.`, file);
  }
  if (json.format === 'graph-model' || json.modelTopology?.node) {
    throw new ModelJsonError(`${file} is a graph model (converted from TensorFlow). Only layers models (tf.loadLayersModel) can be probed, since layers carry the training/inference mode.`, file);
  }
  const topology = json.modelTopology;
  if (typeof topology !== 'object' || topology === null || typeof (topology.model_config ?? topology).class_name !== 'string') {
    throw new ModelJsonError(`${file} has no modelTopology with a class_name: it is not a TF.js layers model.json.`, file);
  }
  const layers = countLayers(topology);
  if (layers > BUDGET.layers) {
    throw new ModelJsonError(`${file} declares ${layers > 1e6 ? 'over a million' : layers} layers, more than the ${BUDGET.layers} the probe builds. Probe a smaller model, or debug the training script instead.`, file);
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelJsonError(`${file}: weightsManifest must be a list of {paths, weights}.`, file);
  let weightElements = 0;
  manifest.forEach((group: UncheckedJson, g: number) => {
    if (!Array.isArray(group?.paths) || !group.paths.every((p: unknown) => typeof p === 'string' && p.length > 0)) {
      throw new ModelJsonError(`${file}: weightsManifest[${g}].paths must be a list of shard file names.`, file);
    }
    if (!Array.isArray(group.weights)) throw new ModelJsonError(`${file}: weightsManifest[${g}].weights must be a list.`, file);
    for (const w of group.weights) {
      weightElements += checkWeightSpec(w, file, text);
      if (weightElements > BUDGET.weightElements) {
        throw new ModelJsonError(`${file}: the weights listed in weightsManifest hold more than ${BUDGET.weightElements} values (${mib(BUDGET.weightBytes)} of float32), more than the probe loads. The shapes are likely corrupt.`, file, lineOfString(text, w.name));
      }
    }
  });
  return { modelTopology: topology, weightsManifest: manifest, trainingConfig: json.trainingConfig ?? null, format: json.format ?? null, weightElements };
}

/** Layers in a topology, nested models included: the entries of every `layers` list. Iterative, so that a
 *  deeply nested file cannot overflow the stack. */
function countLayers(topology: unknown): number {
  let count = 0;
  const stack: unknown[] = [topology];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.layers)) count += o.layers.length;
    for (const k in o) stack.push(o[k]);
  }
  return count;
}

/** Checks one weight spec; returns its element count. */
function checkWeightSpec(w: UncheckedJson, file: string, text: string): number {
  const name = typeof w?.name === 'string' ? w.name : '(unnamed)';
  if (!Array.isArray(w?.shape) || !w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new ModelJsonError(`${file}: weight ${name} has an invalid shape ${JSON.stringify(w?.shape)}; dimensions must be whole numbers ≥ 0.`, file, lineOfString(text, name));
  }
  const elements = elementCount(w.shape, BUDGET.weightElements);
  if (!Number.isFinite(elements)) {
    const big = w.shape.find((d: number) => d > MAX_DIMENSION);
    const approx = w.shape.reduce((a: number, b: number) => a * b, 1);
    throw new ModelJsonError(`${file}: weight ${name} ` +
      (big != null ? `has dimension ${big} (shape ${JSON.stringify(w.shape)}), larger than tfjs supports (${MAX_DIMENSION})`
        : `declares ${approx.toExponential(2)} elements (shape ${JSON.stringify(w.shape)}), more than the ${BUDGET.weightElements} the probe allocates`) +
      '. The shape is likely corrupt.', file, lineOfString(text, name));
  }
  const stored = w.quantization?.dtype ?? w.dtype;
  if (!(w.dtype in BYTES) || !(stored in BYTES) || w.dtype === 'uint8' || w.dtype === 'uint16') {
    throw new ModelJsonError(`${file}: weight ${name} has dtype ${JSON.stringify(w.dtype)}${w.quantization ? ` stored as ${JSON.stringify(stored)}` : ''}; layers models use float32, int32 or bool (optionally quantized to uint8, uint16 or float16).`, file, lineOfString(text, name));
  }
  return elements;
}

/** Bytes the weight specs of a group need in its shards (every spec already checked by parseModelJson). */
export function expectedBytes(group: WeightGroup): number {
  return group.weights.reduce((sum, w) => sum + elementCount(w.shape) * BYTES[w.quantization?.dtype ?? w.dtype], 0);
}

/** The line of the first occurrence of a string value; only looked up for an error message. */
function lineOfString(text: string, value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const i = text.indexOf(JSON.stringify(value));
  return i < 0 ? null : new LineIndex(text.slice(0, i + 1)).at(i).line;
}

/** Where each layer is "built" in a model.json: the line and column of its `"name": "…"`. One pass. */
export function layerNamePositions(text: string, file: string): Map<string, SourceLocation> {
  const positions = new Map<string, SourceLocation>();
  const lines = new LineIndex(text);
  const re = /"name"\s*:\s*("(?:[^"\\]|\\.)*")/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let name: string;
    try {
      name = JSON.parse(m[1]);
    } catch {
      continue;
    }
    if (!positions.has(name)) positions.set(name, { file, ...lines.at(m.index) });
  }
  return positions;
}

/** Every layer class_name in the topology, nested models included, with the line it is on. */
export function layerClassNames(text: string): { className: string; line: number }[] {
  const out: { className: string; line: number }[] = [];
  const lines = new LineIndex(text);
  const re = /"class_name"\s*:\s*"([^"\\]+)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ className: m[1], line: lines.at(m.index).line });
  return out;
}
