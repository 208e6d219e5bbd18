// No network at run time: with every non-loopback connection, DNS lookup and fetch made to fail, in the CLI
// and in the runner it starts, a script run (bundled tfjs on wasm), a saved-model probe and the HTML report
// all work, and nothing even tried to connect.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, runCli } from '../helpers/cli.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('network');

doc.test('a run, a probe and the HTML report with the network stubbed to fail', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-offline-'));
  const log = path.join(dir, 'attempts.log');
  const env = { NODE_OPTIONS: `--require ${path.join(ROOT, 'test', 'helpers', 'no-network.cjs')}`, NO_NETWORK_LOG: log };
  const script = path.join(dir, 'train.js');
  copyFileSync(path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), script);

  const run = runCli(['run', script, '--html', path.join(dir, 'report.html')], { cwd: dir, env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.report?.tfjs?.backend, 'wasm');
  assert.equal(run.report?.gradientCalls.length, 1);
  assert.ok(readFileSync(path.join(dir, 'report.html'), 'utf8').includes('tfjs-debugger-report'));

  const probe = runCli(['probe', path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout', 'model.json')], { env });
  assert.equal(probe.code, 0, probe.stdout + probe.stderr);

  const attempts = existsSync(log) ? readFileSync(log, 'utf8') : '';
  assert.equal(attempts, '', 'no network access was attempted');
  return { tried: 3, result: `run (tfjs on ${run.report?.tfjs?.backend}) exit ${run.code}, HTML report written, probe exit ${probe.code}; ${attempts.split('\n').filter(Boolean).length} connection attempts`, lost: 'nothing' };
}, { caseName: 'a script run, a saved-model probe and the HTML report, network calls stubbed to fail' });
