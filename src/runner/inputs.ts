// What the runner checks about its input before it loads anything, and how it tells a script's module kind.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../model/errors.ts';
import type { RunnerArgs } from '../protocol/channel.ts';

/** The script or model.json is a regular, non-empty file of the right kind; else a UsageError naming it. */
export function checkInput(file: string, kind: RunnerArgs['kind']): void {
  const what = kind === 'probe' ? "the model's model.json" : "the training script's file (.js, .mjs, .cjs or .ts)";
  if (!existsSync(file)) throw new UsageError(`${file}: no such file. Check the path.`);
  const stat = statSync(file);
  if (stat.isDirectory()) throw new UsageError(`${file} is a directory. Give ${what}.`);
  if (!stat.isFile()) throw new UsageError(`${file} is not a regular file (a pipe or a device). Give ${what}.`);
  if (kind === 'script' && !/\.(c|m)?(j|t)s$/.test(file)) throw new UsageError(`${file}: not a .js, .mjs, .cjs or .ts file.`);
  if (kind === 'probe' && !file.endsWith('.json')) throw new UsageError(`${file}: not a .json file. Give ${what}.`);
  const blank = stat.size === 0 || (stat.size < 4096 && readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim() === '');
  if (blank) throw new UsageError(`${file} is empty: there is nothing to ${kind === 'probe' ? 'probe' : 'run'}.`);
}

/** ESM or CommonJS, the way Node decides it for .js, plus the TypeScript extensions. */
export function isEsm(script: string): boolean {
  if (script.endsWith('.mjs') || script.endsWith('.mts')) return true;
  if (script.endsWith('.cjs') || script.endsWith('.cts')) return false;
  for (let dir = path.dirname(script); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}
