// Mode capture and labels through every gradient API, in one script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { layerNamed, lineOf, runCli, SCRIPTS } from '../helpers/cli.ts';

test('every gradient API is recorded, labelled and located, with BatchNorm in training mode', () => {
  const script = path.join(SCRIPTS, 'every-api.js');
  const { code, stdout, report } = runCli(['run', script, '--probe-budget', '0']);
  assert.equal(code, 0, stdout);
  assert.ok(report);
  const apis = report.gradientCalls.map((c) => c.api);
  assert.deepEqual(apis, ['grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads', 'optimizer.minimize', 'fit', 'fitDataset', 'trainOnBatch']);
  const needles = ['tf.grad(', 'tf.grads(', 'tf.valueAndGrad(', 'tf.valueAndGrads(', 'tf.variableGrads(', '.minimize(', 'model.fit(', 'model.fitDataset(', 'model.trainOnBatch('];
  report.gradientCalls.forEach((c, i) => assert.equal(c.source?.line, lineOf(script, needles[i]), `${c.api} call site`));

  const bn = layerNamed(report, 'batch_normalization');
  for (const call of report.gradientCalls) {
    assert.equal(call.layers.find((l) => l.layer === bn.id)?.mode, 'training', `${call.api}: mode`);
    assert.ok(call.lossBefore != null && call.lossDuring != null && call.lossAfter != null, `${call.api}: three losses`);
    assert.equal(call.probeError, null);
  }
  // predict runs it in inference mode, outside any gradient call
  assert.deepEqual(bn.outsideCalls, { training: 0, inference: 1 });
  // Only an optimizer step gives a loss after the step.
  const stepped = report.gradientCalls.filter((c) => c.lossAfterStep != null).map((c) => c.api);
  assert.deepEqual(stepped, ['optimizer.minimize', 'fit', 'fitDataset', 'trainOnBatch']);
  for (const c of report.gradientCalls.filter((c) => c.lossAfterStep != null)) {
    assert.ok((c.lossAfterStep as number) < (c.lossAfter as number), `${c.api}: a step down the gradient lowers the loss`);
  }
  // Gradient norms per trainable weight, attached to their layers.
  const fit = report.gradientCalls.find((c) => c.api === 'fit');
  assert.ok(fit);
  assert.equal(fit.weights.length, 6);
  assert.ok(fit.weights.every((w) => w.layer != null && (w.norm as number) > 0));
  assert.ok((fit.layers.find((l) => l.layer === bn.id)?.gradNorm ?? 0) > 0);
});

test('fit probes replay the call: fit still returns its own metrics', () => {
  const { code, stdout, report } = runCli(['run', path.join(SCRIPTS, 'dropout-fit.js'), '--probe-budget', '0']);
  assert.equal(code, 0, stdout);
  assert.ok(report);
  assert.equal(report.gradientCallCount, 12);
  assert.match(stdout, /final fit loss \d/);
  const dropout = layerNamed(report, 'dropout');
  assert.ok(report.gradientCalls.every((c) => c.layers.find((l) => l.layer === dropout.id)?.mode === 'training'));
  assert.ok(report.gradientCalls.every((c) => c.probeError === null && c.lossBefore != null && c.lossAfterStep != null));
  // Attribution (the first five calls with a gap, then every tenth) replays the call's own Dropout mask, so
  // Dropout explains the whole gap, exactly.
  const attributed = report.gradientCalls.filter((c) => c.attribution);
  assert.deepEqual(attributed.map((c) => c.index), [1, 2, 3, 4, 5, 10]);
  for (const c of attributed) {
    assert.equal(c.attribution?.length, 1);
    assert.equal(c.attribution?.[0].layer, dropout.id);
    assert.ok(Math.abs((c.attribution?.[0].share ?? 0) - 1) < 1e-4, `share ${c.attribution?.[0].share}`);
    assert.ok(Math.abs(c.unexplained as number) < 1e-5);
  }
});

test('nested models and a layer shared between two models', () => {
  const { code, report } = runCli(['run', path.join(SCRIPTS, 'nested-shared.js'), '--probe-budget', '0']);
  assert.equal(code, 0);
  assert.ok(report);
  const shared = report.layers.filter((l) => l.name === 'shared_dense');
  assert.equal(shared.length, 1, 'one layer, whichever model calls it');
  const inner = layerNamed(report, 'inner');
  assert.ok(inner.isContainer);
  const bn = layerNamed(report, 'batch_normalization');
  assert.ok(bn.parents.includes(inner.id), 'the nested BatchNorm is recorded under its model');
  // The shared layer runs in training mode in both models' gradient calls.
  const withShared = report.gradientCalls.filter((c) => c.layers.some((l) => l.layer === shared[0].id && l.mode === 'training'));
  assert.deepEqual([...new Set(withShared.map((c) => c.api))].sort(), ['fitDataset', 'trainOnBatch']);
  assert.ok(withShared.length === report.gradientCalls.length);
});

test('--attribution off and always', () => {
  const example = path.join(SCRIPTS, '..', '..', '..', 'examples', 'batchnorm-mismatch.js');
  const off = runCli(['run', example, '--attribution', 'off']).report;
  assert.equal(off?.gradientCalls[0].attribution, null);
  const always = runCli(['run', path.join(SCRIPTS, 'healthy-mlp-fit.js'), '--attribution', 'always', '--probe-budget', '0']).report;
  // A model with no mode-dependent layer has nothing to attribute, even when asked always.
  assert.ok(always?.gradientCalls.every((c) => c.attribution === null));
  const dropout = runCli(['run', path.join(SCRIPTS, 'dropout-fit.js'), '--attribution', 'always', '--probe-budget', '0']).report;
  assert.ok(dropout?.gradientCalls.filter((c) => c.probed).every((c) => c.attribution?.length === 1));
});
