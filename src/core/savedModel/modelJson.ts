// Reads and checks a TF.js layers-model model.json before anything is allocated: every way the file can be
// broken gets one clear sentence naming the file, the line where there is one, and the fix.
import type { SourceLocation } from '../../protocol.ts';

export class ModelJsonError extends Error {
  constructor(message: string, readonly file: string, readonly line: number | null = null) {
    super(message);
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

export interface ModelJson {
  modelTopology: any;
  weightsManifest: WeightGroup[];
  trainingConfig: any | null;
  format: string | null;
}

/** Largest tensor the probe will allocate: 2^28 elements (1 GiB of float32). */
export const MAX_ELEMENTS = 2 ** 28;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2 };

export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

export function parseModelJson(text: string, file: string): ModelJson {
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = m ? lineColumnAt(text, Number(m[1])) : null;
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
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelJsonError(`${file}: weightsManifest must be a list of {paths, weights}.`, file);
  manifest.forEach((group: any, g: number) => {
    if (!Array.isArray(group?.paths) || !group.paths.every((p: unknown) => typeof p === 'string' && p.length > 0)) {
      throw new ModelJsonError(`${file}: weightsManifest[${g}].paths must be a list of shard file names.`, file);
    }
    if (!Array.isArray(group.weights)) throw new ModelJsonError(`${file}: weightsManifest[${g}].weights must be a list.`, file);
    for (const w of group.weights) checkWeightSpec(w, file, text);
  });
  return { modelTopology: topology, weightsManifest: manifest, trainingConfig: json.trainingConfig ?? null, format: json.format ?? null };
}

function checkWeightSpec(w: any, file: string, text: string): void {
  const name = typeof w?.name === 'string' ? w.name : '(unnamed)';
  const where = lineOfString(text, name);
  if (!Array.isArray(w?.shape) || !w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new ModelJsonError(`${file}: weight ${name} has an invalid shape ${JSON.stringify(w?.shape)}; dimensions must be whole numbers ≥ 0.`, file, where);
  }
  const elements = w.shape.reduce((a: number, b: number) => a * b, 1);
  if (elements > MAX_ELEMENTS) {
    throw new ModelJsonError(`${file}: weight ${name} declares ${elements.toExponential(2)} elements (shape ${JSON.stringify(w.shape)}), more than the ${MAX_ELEMENTS} the probe allocates. The shape is likely corrupt.`, file, where);
  }
  const stored = w.quantization?.dtype ?? w.dtype;
  if (!(w.dtype in BYTES) || !(stored in BYTES) || w.dtype === 'uint8' || w.dtype === 'uint16') {
    throw new ModelJsonError(`${file}: weight ${name} has dtype ${JSON.stringify(w.dtype)}${w.quantization ? ` stored as ${JSON.stringify(stored)}` : ''}; layers models use float32, int32 or bool (optionally quantized to uint8, uint16 or float16).`, file, where);
  }
}

/** Bytes the weight specs of a group need in its shards. */
export function expectedBytes(group: WeightGroup): number {
  return group.weights.reduce((sum, w) => {
    const elements = w.shape.reduce((a, b) => a * b, 1);
    return sum + elements * BYTES[w.quantization?.dtype ?? w.dtype];
  }, 0);
}

function lineOfString(text: string, value: string): number | null {
  const i = text.indexOf(JSON.stringify(value));
  return i < 0 ? null : lineColumnAt(text, i).line;
}

/** Where each layer is "built" in a model.json: the line and column of its `"name": "…"`. */
export function layerNamePositions(text: string, file: string): Map<string, SourceLocation> {
  const positions = new Map<string, SourceLocation>();
  const re = /"name"\s*:\s*("(?:[^"\\]|\\.)*")/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let name: string;
    try {
      name = JSON.parse(m[1]);
    } catch {
      continue;
    }
    if (!positions.has(name)) positions.set(name, { file, ...lineColumnAt(text, m.index) });
  }
  return positions;
}

/** Every layer class_name in the topology, nested models included, with the line it is on. */
export function layerClassNames(text: string): { className: string; line: number }[] {
  const out: { className: string; line: number }[] = [];
  const re = /"class_name"\s*:\s*"([^"\\]+)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ className: m[1], line: lineColumnAt(text, m.index).line });
  return out;
}
