// Runs the built CLI (bin/tfjs-debug.js) the way a user would, and reads back its JSON report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunReport } from '../../src/protocol/report.ts';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'tfjs-debug.js');
export const SCRIPTS = path.join(ROOT, 'test', 'fixtures', 'scripts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  report: RunReport | null;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; json?: boolean; timeoutMs?: number } = {}): CliResult {
  const jsonFile = path.join(mkdtempSync(path.join(tmpdir(), 'tfjs-debug-test-')), 'report.json');
  const dashdash = args.indexOf('--');
  const own = dashdash >= 0 ? args.slice(0, dashdash) : args;
  const rest = dashdash >= 0 ? args.slice(dashdash) : [];
  const full = opts.json === false ? args : [...own, '--json', jsonFile, ...rest];
  const r = spawnSync(process.execPath, [BIN, ...full], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as RunReport) : null;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, report };
}

/** The 1-based line of the first line of `file` that contains `needle`. */
export function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

export function layerNamed(report: RunReport, prefix: string) {
  const layer = report.layers.find((l) => l.name.startsWith(prefix));
  if (!layer) throw new Error(`no layer ${prefix} in ${report.layers.map((l) => l.name).join(', ')}`);
  return layer;
}

let exampleCache: RunReport | null = null;
/** The report of a real run of examples/batchnorm-mismatch.js (run once per test file), as a fresh copy. */
export function exampleReport(): RunReport {
  if (!exampleCache) {
    const { code, report } = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--quiet']);
    if (code !== 0 || !report) throw new Error(`the example run failed with exit code ${code}`);
    exampleCache = report;
  }
  return structuredClone(exampleCache);
}
