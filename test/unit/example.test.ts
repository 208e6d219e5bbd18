// The bundled example: the debugger reports the same three losses the script prints itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { layerNamed, lineOf, ROOT, runCli } from '../helpers/cli.ts';

const EXAMPLE = path.join(ROOT, 'examples', 'batchnorm-mismatch.js');

test('the example: three different losses that match the script, BatchNorm in training mode inside the call', () => {
  const { code, stdout, report } = runCli(['run', EXAMPLE]);
  assert.equal(code, 0, stdout);
  assert.ok(report);
  const printed = (label: string) => Number(new RegExp(`${label}: (\\S+)`).exec(stdout)?.[1]);
  const [call] = report.gradientCalls;
  assert.equal(report.gradientCalls.length, 1);
  assert.equal(call.api, 'variableGrads');
  assert.equal(call.source?.line, lineOf(EXAMPLE, 'tf.variableGrads('));
  // The script computes the same numbers with the same ops, so they agree to the last bit.
  assert.equal(call.lossBefore, printed('initial loss'));
  assert.equal(call.lossDuring, printed('loss calculated in gradient'));
  assert.equal(call.lossAfter, printed('final loss'));
  assert.notEqual(call.lossBefore, call.lossDuring);
  assert.notEqual(call.lossBefore, call.lossAfter);

  const bn = layerNamed(report, 'batch_normalization');
  assert.equal(bn.className, 'BatchNormalization');
  assert.deepEqual(bn.source && { file: bn.source.file, line: bn.source.line }, { file: EXAMPLE, line: lineOf(EXAMPLE, 'batchNormalization(') });
  assert.equal(bn.outsideCalls.inference, 2, 'predict before and after the call runs it in inference mode');
  assert.equal(bn.outsideCalls.training, 0);
  const inCall = call.layers.find((l) => l.layer === bn.id);
  assert.equal(inCall?.mode, 'training');
  const stats = inCall?.batchNorm;
  assert.ok(stats);
  assert.deepEqual(stats.movingMeanBefore, [0]);
  assert.deepEqual(stats.movingVarianceBefore, [1]);
  assert.equal(stats.momentum, 0.99);
  // tfjs's update rule: moving ← moving − (moving − batch)·(1 − momentum)
  assert.ok(Math.abs(stats.movingMeanAfter[0] - stats.batchMean[0] * 0.01) < 1e-6);
  assert.ok(Math.abs(stats.movingVarianceAfter[0] - (1 - (1 - stats.batchVariance[0]) * 0.01)) < 1e-6);
  assert.ok(stats.batchMean[0] > 0.4 && stats.batchMean[0] < 0.6, 'uniform [0,1) input has mean near 0.5');

  const gap = report.findings.find((f) => f.rule === 'loss-gap');
  assert.ok(gap, 'loss-gap finding');
  assert.equal(gap.layer, bn.id);
  assert.equal(gap.source?.line, bn.source?.line);
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.status, 'completed');
  assert.equal(typeof call.lossBefore, 'number');
  assert.match(stdout, /batch_norm.*BatchNorm\*\s+training\s+inference ×2\s+yes/);
  // Long layer names are cut in the middle, so the numbered end that tells layers apart stays.
  assert.match(stdout, /batch_norm…lization1 BatchNorm\*/);
  assert.match(stdout, /warning loss-gap/);
  for (const line of stdout.split('\n')) assert.ok(line.length <= 80, `line over 80 columns: ${line}`);
});
