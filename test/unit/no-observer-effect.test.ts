// The debugger must not change training: final weights and the user's random stream are bit-identical
// with and without it, at every probe setting.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli, SCRIPTS } from '../helpers/cli.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('observer');

const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-weights-'));

function plainWeights(script: string): Buffer {
  const out = path.join(dir, `${path.basename(script)}.plain`);
  const r = spawnSync(process.execPath, [script], { env: { ...process.env, WEIGHTS_OUT: out }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

function debuggedWeights(script: string, probeEvery: string): Buffer {
  const out = path.join(dir, `${path.basename(script)}.${probeEvery}`);
  const r = runCli(['run', script, '--probe-every', probeEvery], { env: { WEIGHTS_OUT: out } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok((r.report?.gradientCallCount ?? 0) > 0);
  return readFileSync(out);
}

for (const name of ['bn-minimize.js', 'dropout-fit.js', 'nested-shared.js']) {
  doc.test(`${name}: weights and random stream bit-identical with and without the debugger`, () => {
    const script = path.join(SCRIPTS, name);
    const plain = plainWeights(script);
    assert.ok(plain.length > 8);
    const settings = ['1', '10', '0'];
    for (const probeEvery of settings) {
      assert.ok(debuggedWeights(script, probeEvery).equals(plain), `${name} with --probe-every ${probeEvery}`);
    }
    return { tried: settings.length, result: `--probe-every ${settings.join(', ')}: final weights, moving statistics and random draws (${plain.length} bytes) bit-identical to the plain run`, lost: 'nothing: training unchanged' };
  }, { caseName: name });
}
