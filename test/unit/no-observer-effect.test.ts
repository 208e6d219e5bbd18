// The debugger must not change training: final weights and the user's random stream are bit-identical
// with and without it, at every probe setting; and a script that seeds Math.random before it loads tfjs prints
// the same bytes with and without it (tfjs is loaded when the script loads it, not before).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchRunner } from '../../src/host/launch.ts';
import { ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';
import type { RunReport } from '../../src/protocol/report.ts';

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

// Scripts whose authors' habits a probe that re-ran the closure would break: side effects and stdout writes in
// the closure, Math.random drawn inside it, noise drawn by a custom layer, batches disposed before the optimizer
// step, class weights. The script's whole stdout must be the same with the debugger, which prints its report
// after it, at the most probing setting and at the defaults.
const OBSERVER = path.join(SCRIPTS, 'observer');
const MOST = ['--probe-every', '1', '--attribution', 'always', '--probe-budget', '0'];

function plainStdout(script: string): string {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function debuggedRun(script: string, options: string[]) {
  const r = runCli(['run', script, ...options]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(r.report && r.report.gradientCallCount > 0);
  return r;
}

const cases: { name: string; check: (report: RunReport) => string }[] = [
  {
    name: 'policy-gradient.js',
    check: (report) => {
      const calls = report.gradientCalls;
      assert.ok(calls.every((c) => c.probed && c.probeError == null && c.lossBefore === c.lossDuring), 'every call replayed, no layer changes mode');
      return `${report.gradientCallCount} calls replayed; closure side effects, stdout dots and multinomial draws happen once`;
    },
  },
  {
    name: 'vae-sampling.js',
    check: (report) => {
      assert.ok(report.gradientCalls.every((c) => c.probeError == null && c.lossBefore === c.lossDuring && c.lossAfter === c.lossDuring));
      assert.deepEqual(report.findings.map((f) => f.rule), [], 'no loss-gap: the sampling layer\'s noise is replayed');
      return 'sampling noise replayed: lossBefore = lossDuring in every call, no finding';
    },
  },
  {
    name: 'disposed-batch.js',
    check: (report) => {
      assert.ok(report.gradientCalls.every((c) => c.probeError == null && c.lossBefore != null && c.lossAfterStep != null));
      assert.ok(report.gradientCalls.every((c) => (c.attribution ?? []).length === 2), 'BatchNorm and Dropout attributed');
      return 'batches disposed before the step: loss after the step replayed from the kept batch in every call';
    },
  },
  {
    name: 'fit-class-weights.js',
    check: (report) => {
      assert.ok(report.gradientCalls.every((c) => c.probeError == null && c.lossBefore != null), 'fit with class weights is replayed');
      return 'fit with class weights and validation split: every call replayed';
    },
  },
  {
    name: 'log-loss-in-closure.js',
    check: (report) => {
      assert.ok(report.gradientCalls.every((c) => c.probeError == null && c.lossBefore != null), 'a read after everything the loss needs does not stop replay');
      return 'the closure logs its loss with dataSync before returning it: every call replayed';
    },
  },
  {
    name: 'readback-after-dropout.js',
    check: (report) => {
      const errors = new Set(report.gradientCalls.map((c) => c.probeError));
      assert.equal(errors.size, 1);
      const [error] = errors;
      assert.match(String(error), /^not replayed: the loss closure reads back \(dataSync at readback-after-dropout\.js:18\)/);
      assert.ok(report.gradientCalls.every((c) => c.lossBefore == null && c.lossDuring != null));
      return 'a closure that reads back a mode-dependent value: reported as not replayed, with the line';
    },
  },
];

for (const { name, check } of cases) {
  doc.test(`${name}: the script's stdout and weights are the same with and without the debugger`, () => {
    const script = path.join(OBSERVER, name);
    const plain = plainStdout(script);
    assert.match(plain, /digest [0-9a-f]{8} next random/);
    let note = '';
    for (const options of [MOST, []]) {
      const r = debuggedRun(script, options);
      assert.ok(r.stdout.startsWith(plain + '\nTF.js Model Debugger'), `${name} ${options.join(' ') || 'defaults'}: stdout differs`);
      if (options === MOST) note = check(r.report as RunReport);
    }
    return { tried: 2, result: `stdout (${plain.length} bytes, weight digest included) identical at ${MOST.join(' ')} and at the defaults; ${note}`, lost: 'nothing: training and output unchanged' };
  }, { caseName: `observer/${name}` });
}

/** The script's whole stdout under the debugger, as the extension collects it (the runner's output piped). */
async function debuggedStdout(script: string): Promise<string> {
  let stdout = '';
  const { report } = await launchRunner({
    script, cwd: path.dirname(script), stdio: 'pipe', distDir: path.join(ROOT, 'dist'),
    onOutput: (chunk, stream) => { if (stream === 'stdout') stdout += chunk; },
  }).done;
  assert.equal(report.status, 'completed', report.error?.message);
  assert.ok(report.gradientCallCount > 0);
  assert.equal(report.tfjs?.source, 'workspace');
  return stdout;
}

for (const name of ['seed-then-require.js', 'seed-then-import.mjs']) {
  doc.test(`${name}: Math.random seeded before tfjs loads; the whole stdout is byte-identical with and without the debugger`, async () => {
    const script = path.join(SCRIPTS, name);
    const plain = spawnSync(process.execPath, [script], { cwd: SCRIPTS, encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /^weights [0-9a-f]{64}$/m);
    const debugged = await debuggedStdout(script);
    assert.equal(debugged, plain.stdout);
    return {
      tried: 1,
      result: `stdout (losses, weight digest, next random numbers: ${plain.stdout.length} bytes) byte-identical: tfjs loaded when the script ${name.endsWith('.mjs') ? 'imports' : 'requires'} it, its load-time draws from the script's generator`,
      lost: 'nothing: training unchanged',
    };
  }, { caseName: `${name} (seeds Math.random before tfjs loads; Dropout, fit)` });
}
