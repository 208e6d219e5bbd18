// Where --json and --html go, checked before the run starts: a report written after a long run to a folder
// that does not exist, over the training script or the model, or to /dev/full would lose the run or the input.
// "-" is stdout; every other path must be a writable file (or /dev/null) that is none of the run's inputs.
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { BUDGET } from '../protocol/inputLimits.ts';
import { UsageError } from '../model/errors.ts';

export type ReportTarget = { kind: 'stdout' } | { kind: 'file'; file: string };

/** The files the run reads: the script or model.json, its weight shards, the --data file. */
export function runInputs(target: string, data: string | null, kind: 'run' | 'probe'): string[] {
  const inputs = [target, ...(data ? [data] : [])];
  if (kind === 'probe') {
    try {
      if (statSync(target).size > BUDGET.modelJsonBytes) return inputs; // refused by the runner, unread
      const manifest = JSON.parse(readFileSync(target, 'utf8').replace(/^\uFEFF/, '')).weightsManifest;
      for (const group of Array.isArray(manifest) ? manifest : []) {
        for (const p of Array.isArray(group?.paths) ? group.paths : []) if (typeof p === 'string') inputs.push(path.resolve(path.dirname(target), p));
      }
    } catch {
      // an unreadable model.json is refused by the runner, with its own message
    }
  }
  return inputs;
}

const real = (file: string) => {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
};

export function checkReportTarget(option: '--json' | '--html', value: string, inputs: string[]): ReportTarget {
  if (value === '-') return { kind: 'stdout' };
  const file = path.resolve(value);
  if (inputs.some((input) => real(input) === real(file))) {
    throw new UsageError(`${option} ${value} would overwrite an input of the run (${file}). Name another file for the report.`);
  }
  if (existsSync(file)) {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new UsageError(`${option} ${value} is a directory. Name a file for the report, such as ${path.join(value, option === '--json' ? 'report.json' : 'report.html')}.`);
    if (!stat.isFile() && real(file) !== '/dev/null') throw new UsageError(`${option} ${value} is not a regular file (a device or a pipe). Name a file, or - for stdout.`);
    try {
      accessSync(file, constants.W_OK);
    } catch {
      throw new UsageError(`${option} ${value}: the file is not writable. Name a file you can write.`);
    }
    return { kind: 'file', file };
  }
  const dir = path.dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${option} ${value}: the folder ${dir} does not exist. Create it first, or name a file in an existing folder.`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${value}: the folder ${dir} is not writable. Name a file in a folder you can write.`);
  }
  return { kind: 'file', file };
}
