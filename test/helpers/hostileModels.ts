// Hostile saved models for the containment and budget tests and the bench: a model folder next to a "secret"
// folder the probe must never read, and builders for each hostile model.json. Reads are detected by access
// time: the secret files get an access time of 0, which any read moves (ext4 relatime updates an access time
// older than the modification time); `readsDetectable` checks that this holds on the file system in use.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from './cli.ts';

export const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout');
export const SECRET_TEXT = 'TOP-SECRET-0123456789abcdef';

export interface HostileWorld {
  root: string;
  /** The model's folder: model.json, weights.bin, a symlink out, a large sparse file. */
  modelDir: string;
  model: string;
  /** Files outside the model's folder that nothing may read. */
  secret: string;
  outside: string[];
  /** A 3 GiB sparse file inside the model's folder (read nothing of it: the sizes do not match). */
  big: string;
}

export function original(): any {
  return JSON.parse(readFileSync(path.join(FIXTURE, 'model.json'), 'utf8'));
}

/** Marks a file as unread (access time 0). */
export function markUnread(file: string): void {
  utimesSync(file, 0, statSync(file).mtime);
}

export const wasRead = (file: string) => statSync(file).atimeMs !== 0;

export function hostileWorld(): HostileWorld {
  const root = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-hostile-'));
  const modelDir = path.join(root, 'model');
  cpSync(FIXTURE, modelDir, { recursive: true });
  const secretDir = path.join(root, 'secret');
  mkdirSync(secretDir);
  const secret = path.join(secretDir, 'key.txt');
  // As long as the weights need (360 bytes), so that only containment can stop it.
  writeFileSync(secret, SECRET_TEXT.repeat(20).slice(0, 360));
  const secretBin = path.join(secretDir, 'weights.bin');
  writeFileSync(secretBin, readFileSync(path.join(FIXTURE, 'weights.bin')));
  symlinkSync(secret, path.join(modelDir, 'link-out.bin'));
  symlinkSync(secretDir, path.join(modelDir, 'dir-link'));
  const big = path.join(modelDir, 'big.bin');
  writeFileSync(big, '');
  truncateSync(big, 3 * 2 ** 30);
  const outside = [secret, secretBin];
  for (const f of [...outside, big]) markUnread(f);
  return { root, modelDir, model: path.join(modelDir, 'model.json'), secret, outside, big };
}

/** Whether this file system records reads in access times (checked on a file of its own). */
export function readsDetectable(root: string): boolean {
  const probe = path.join(root, 'atime-check');
  writeFileSync(probe, 'x');
  markUnread(probe);
  readFileSync(probe);
  return wasRead(probe);
}

export function writeModel(world: HostileWorld, json: unknown): string {
  writeFileSync(world.model, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return world.model;
}

/** Shard entries that point outside the model's folder, each a different way. */
export function outsideEntries(world: HostileWorld): string[] {
  return [
    '../secret/key.txt',
    world.secret,
    'link-out.bin',
    'dir-link/weights.bin',
    'sub/../../secret/key.txt',
    `file://${world.secret}`,
    'http://127.0.0.1:9/weights.bin',
    'C:\\secret\\key.txt',
  ];
}

/** A functional model.json of `n` inputs of shape [null, width] added together (no weights). */
export function manyWideInputs(n: number, width: number): any {
  const inputs = Array.from({ length: n }, (_, i) => ({
    class_name: 'InputLayer', name: `in${i}`, inbound_nodes: [],
    config: { batch_input_shape: [null, width], dtype: 'float32', sparse: false, name: `in${i}` },
  }));
  return {
    format: 'layers-model', generatedBy: 'test', convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: {
        name: 'wide', layers: [...inputs, { class_name: 'Add', name: 'sum', config: { name: 'sum', trainable: true }, inbound_nodes: [inputs.map((l) => [l.name, 0, 0, {}])] }],
        input_layers: inputs.map((l) => [l.name, 0, 0]), output_layers: [['sum', 0, 0]],
      },
      keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js',
    },
    weightsManifest: [],
  };
}

/** A Sequential model.json of `n` Dense layers of one unit (with their weights listed). */
export function manyLayers(n: number): { json: any; bytes: number } {
  const json = original();
  const first = json.modelTopology.config.layers[0];
  json.modelTopology.config.layers = Array.from({ length: n }, (_, i) => ({
    class_name: 'Dense',
    config: { ...first.config, units: 1, name: `d${i}`, ...(i === 0 ? { batch_input_shape: [null, 1] } : { batch_input_shape: undefined }) },
  }));
  json.weightsManifest = [{ paths: ['many.bin'], weights: Array.from({ length: n }, (_, i) => [{ name: `d${i}/kernel`, shape: [1, 1], dtype: 'float32' }, { name: `d${i}/bias`, shape: [1], dtype: 'float32' }]).flat() }];
  return { json, bytes: n * 8 };
}
