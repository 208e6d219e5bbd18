// Code fixes for findings, computed on the syntax tree, proved by running the fixed script: each example's
// finding is gone after its fix, and nothing is offered where no mechanical fix fits.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunReport } from '../../src/protocol/report.ts';
import { applyEdits, fixesFor } from '../../src/fixes/sourceFixes.ts';
import { ROOT, runCli } from '../helpers/cli.ts';

// Inside the repository, so that the scripts find its tfjs as the examples do.
const dir = mkdtempSync(path.join(ROOT, 'test', '.tmp-fixes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string): RunReport {
  const r = runCli(['run', file, '--quiet', '--probe-budget', '0']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.report as RunReport;
}

/** Runs the example, applies the fix its finding offers, runs the fixed copy. */
function fixAndRerun(example: string, rule: string, expectedTitle: RegExp) {
  const file = path.join(dir, example);
  copyFileSync(path.join(ROOT, 'examples', example), file);
  const before = run(file);
  const finding = before.findings.find((f) => f.rule === rule);
  assert.ok(finding, `${rule} fires on ${example}: ${before.findings.map((f) => f.rule)}`);
  const text = readFileSync(file, 'utf8');
  const fixes = fixesFor(finding, before, file, text);
  assert.equal(fixes.length, 1, `one fix for ${rule}`);
  assert.match(fixes[0].title, expectedTitle);
  const fixed = applyEdits(text, fixes[0].edits);
  writeFileSync(file, fixed);
  const afterFix = run(file);
  return { before, after: afterFix, fixed };
}

test('running-stats-lagging: momentum 0.9 on the layer, and the inference-mode loss drops a hundredfold', () => {
  const { before, after, fixed } = fixAndRerun('running-stats-lagging.js', 'running-stats-lagging', /Set momentum: 0\.9/);
  assert.match(fixed, /batchNormalization\(\{ momentum: 0\.9 \}\)/);
  const lastInference = (r: RunReport) => r.gradientCalls.filter((c) => c.lossBefore != null).at(-1)?.lossBefore as number;
  assert.ok(lastInference(after) < lastInference(before) / 100, `${lastInference(before)} → ${lastInference(after)}`);
});

test('running-stats-frozen: {training: true} in the loss closure, and BatchNorm trains', () => {
  const { after, fixed } = fixAndRerun('running-stats-frozen.js', 'running-stats-frozen', /training mode/);
  assert.match(fixed, /model\.apply\(xs, \{ training: true \}\)/);
  assert.deepEqual(after.findings.filter((f) => f.rule === 'running-stats-frozen'), []);
});

test('loss-gap: {training: false} in the loss closure, and the gap closes', () => {
  const { before, after } = fixAndRerun('batchnorm-mismatch.js', 'loss-gap', /inference mode/);
  assert.ok(before.gradientCalls[0].lossDuring !== before.gradientCalls[0].lossBefore);
  assert.equal(after.gradientCalls[0].lossDuring, after.gradientCalls[0].lossBefore, 'the loss inside the call is the inference-mode loss');
  assert.deepEqual(after.findings.filter((f) => f.rule === 'loss-gap'), []);
});

test('tensor-leak: dispose what the step declares at the end of the loop body, and the leak is gone', () => {
  const { after, fixed } = fixAndRerun('tensor-leak.js', 'tensor-leak', /Dispose value, grads/);
  assert.match(fixed, /\n {2}tf\.dispose\(\[value, grads\]\);\n\}/);
  assert.deepEqual(after.findings.filter((f) => f.rule === 'tensor-leak'), []);
});

test('no fix where none fits mechanically: a frozen base trained with fit has no loss closure to edit', () => {
  const file = path.join(dir, 'frozen-base.js');
  copyFileSync(path.join(ROOT, 'examples', 'frozen-base.js'), file);
  const report = run(file);
  const finding = report.findings.find((f) => f.rule === 'frozen-layer-in-training-mode');
  assert.ok(finding);
  assert.deepEqual(fixesFor(finding, report, file, readFileSync(file, 'utf8')), []);
});
