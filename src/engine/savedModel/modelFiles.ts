// The files a saved-model probe reads: model.json, its weight shards and the --data batch. A model.json is data
// from anywhere, so a shard path may only name a regular file inside the model's own folder (after symlinks
// are resolved: no absolute paths, no "..", no URLs), and every size is checked against the budgets before a
// byte is read. Nothing about a refused file (not even its size) reaches the message.
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { BUDGET } from '../../protocol/inputLimits.ts';
import { mib } from './budgets.ts';
import { expectedBytes, ModelJsonError, modelJsonText, type WeightGroup } from './modelJson.ts';

/** What a non-regular file is, for a message. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Reads at most `size` bytes of a regular file (a file that grows after its size was checked is cut there). */
function readBounded(file: string, size: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** A file the user named (model.json, --data), checked before it is opened: regular, within `budget` bytes. */
export function readInputFile(file: string, budget: number, what: string): Buffer {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    throw new ModelJsonError(`${file}: no such file. Check the path.`, file);
  }
  if (!stat.isFile()) throw new ModelJsonError(`${file} is ${kindOf(stat)}, not a file: give ${what}.`, file);
  if (stat.size > budget) {
    throw new ModelJsonError(`${file} is ${mib(stat.size)}, more than the ${mib(budget)} the probe reads for ${what}.`, file);
  }
  return readBounded(file, stat.size);
}

export function readModelJson(modelPath: string): string {
  return modelJsonText(readInputFile(modelPath, BUDGET.modelJsonBytes, "the model's model.json"));
}

const inside = (dir: string, file: string) => file.startsWith(dir + path.sep);

/** Resolves one shard entry inside the model's folder, or says why it may not be read. */
function shardFile(modelPath: string, realDir: string, entry: string, where: string): string {
  const refuse = (why: string) => new ModelJsonError(
    `${modelPath}: ${where} names ${JSON.stringify(entry)}, ${why}. A shard path must be a file name relative to model.json, ` +
    'inside its folder: save the model again, or copy the shards next to model.json.', modelPath);
  if (entry.includes('\0')) throw refuse('which holds a NUL character');
  if (/^[a-z][a-z0-9+.-]*:/i.test(entry)) throw refuse('a URL or drive path');
  if (path.isAbsolute(entry) || entry.startsWith('\\')) throw refuse('an absolute path');
  const file = path.resolve(realDir, entry);
  if (!inside(realDir, file)) throw refuse("which points outside the model's folder");
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw new ModelJsonError(`${modelPath}: weight shard ${entry} is missing (looked for ${file}). Copy the .bin files saved with the model next to model.json.`, modelPath);
  }
  if (!inside(realDir, real)) throw refuse("a symbolic link that points outside the model's folder");
  const stat = statSync(real);
  if (!stat.isFile()) throw refuse(`which is ${kindOf(stat)}`);
  return real;
}

/** Every shard of every group, contained and size-checked against the manifest, then read: one buffer. */
export function readShards(modelPath: string, manifest: WeightGroup[]): ArrayBuffer {
  const realDir = realpathSync(path.dirname(modelPath));
  const groups = manifest.map((group, g) => {
    const files = group.paths.map((p, i) => shardFile(modelPath, realDir, p, `weightsManifest[${g}].paths[${i}]`));
    const sizes = files.map((f) => statSync(f).size);
    const have = sizes.reduce((s, n) => s + n, 0);
    const need = expectedBytes(group);
    if (have !== need) {
      throw new ModelJsonError(
        `${modelPath}: the weight shards ${group.paths.join(', ')} hold ${have} bytes, but the weights listed for them need ${need}. ` +
        `A shard is ${have < need ? 'truncated' : 'from another model'}: save the model again.`, modelPath);
    }
    return { files, sizes };
  });
  const total = groups.reduce((s, g) => s + g.sizes.reduce((a, b) => a + b, 0), 0);
  if (total > BUDGET.weightBytes) {
    throw new ModelJsonError(`${modelPath}: the weight shards hold ${mib(total)}, more than the ${mib(BUDGET.weightBytes)} the probe loads.`, modelPath);
  }
  const all = Buffer.alloc(total);
  let offset = 0;
  for (const { files, sizes } of groups) {
    files.forEach((f, i) => {
      const part = readBounded(f, sizes[i]);
      if (part.length !== sizes[i]) throw new ModelJsonError(`${modelPath}: weight shard ${f} changed while it was read. Probe again.`, modelPath);
      part.copy(all, offset);
      offset += part.length;
    });
  }
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
}
