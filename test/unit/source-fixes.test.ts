// Code fixes for findings, computed on the syntax tree, proved by running the fixed script: each example's
// finding is gone after its fix, and nothing is offered where no mechanical fix fits.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
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
function fixAndRerun(example: string, rule: string, expectedTitle: RegExp, as?: { name: string; rewrite: (text: string) => string }) {
  const file = path.join(dir, as?.name ?? example);
  writeFileSync(file, (as?.rewrite ?? ((t: string) => t))(readFileSync(path.join(ROOT, 'examples', example), 'utf8')));
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

test('running-stats-lagging: momentum 0.9 on the layer, and the inference-mode loss drops tenfold', () => {
  // The example draws its data and weights from Math.random: seeded here, so that both runs start alike.
  const seeded = (t: string) => `let seed = 7;\nMath.random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };\n${t}`;
  const { before, after, fixed } = fixAndRerun('running-stats-lagging.js', 'running-stats-lagging', /^Set momentum: 0\.9 on batchNormalization$/, { name: 'running-stats-lagging.js', rewrite: seeded });
  assert.match(fixed, /batchNormalization\(\{ momentum: 0\.9 \}\)/);
  const lastInference = (r: RunReport) => r.gradientCalls.filter((c) => c.lossBefore != null).at(-1)?.lossBefore as number;
  assert.ok(lastInference(after) < lastInference(before) / 10, `${lastInference(before)} → ${lastInference(after)}`);
});

test('running-stats-frozen: {training: true} in the loss closure, and BatchNorm trains', () => {
  const { after, fixed } = fixAndRerun('running-stats-frozen.js', 'running-stats-frozen', /^Call the model with \{training: true\} in the loss closure$/);
  assert.match(fixed, /model\.apply\(xs, \{ training: true \}\)/);
  assert.deepEqual(after.findings.filter((f) => f.rule === 'running-stats-frozen'), []);
});

test('loss-gap: {training: false} in the loss closure, and the gap closes', () => {
  const { before, after } = fixAndRerun('batchnorm-mismatch.js', 'loss-gap', /^Call the model with \{training: false\} in the loss closure$/);
  assert.ok(before.gradientCalls[0].lossDuring !== before.gradientCalls[0].lossBefore);
  assert.equal(after.gradientCalls[0].lossDuring, after.gradientCalls[0].lossBefore, 'the loss inside the call is the inference-mode loss');
  assert.deepEqual(after.findings.filter((f) => f.rule === 'loss-gap'), []);
  // Inference asked for on purpose: the fixed script raises nothing (running-stats-frozen leaves it alone).
  assert.ok(after.gradientCalls[0].layers.every((l) => l.mode === 'inference' && l.inferenceAsked), JSON.stringify(after.gradientCalls[0].layers));
  assert.deepEqual(after.findings.map((f) => f.rule), []);
});

test('tensor-leak: the loop\'s step in tf.tidy, and the leak is gone', () => {
  const { after, fixed } = fixAndRerun('tensor-leak.js', 'tensor-leak', /^Run each step of the loop in tf\.tidy \(frees the tensors it creates\)$/);
  assert.match(fixed, /for \(let step = 0; step < 40; step\+\+\) \{\n {2}tf\.tidy\(\(\) => \{\n {4}const \{ value, grads \} = tf\.variableGrads\([^\n]*\n {4}optimizer\.applyGradients\(grads\);\n {4}if \(step % 10 === 0\)[^\n]*\n {2}\}\);\n\}/);
  assert.deepEqual(after.findings.filter((f) => f.rule === 'tensor-leak'), []);
});

test('tensor-leak in a step that awaits (tf.tidy is synchronous): dispose what the step declares, and the leak is gone', () => {
  const { after, fixed } = fixAndRerun('tensor-leak.js', 'tensor-leak', /Dispose value, grads/, {
    name: 'tensor-leak-async.js',
    rewrite: (t) => t.replace(/for \(let step = 0;[^]*\n\}\n/, (loop) => `(async () => {\n${loop.replace("console.log('step', step, 'loss', value.dataSync()[0]);", "console.log('step', step, 'loss', value.dataSync()[0]);\n  await tf.nextFrame();")}})();\n`),
  });
  assert.match(fixed, /await tf\.nextFrame\(\);\n {2}tf\.dispose\(\[value, grads\]\);\n\}/);
  assert.deepEqual(after.findings.filter((f) => f.rule === 'tensor-leak'), []);
});

const BASE_BN = (r: RunReport) => r.layers.filter((l) => l.className === 'BatchNormalization' && l.parents.some((p) => r.layers.find((x) => x.id === p)?.name === 'base'));

/** The base's BatchNorm layers' modes in every recorded gradient call. */
function baseModes(r: RunReport): Set<string> {
  const ids = new Set(BASE_BN(r).map((l) => l.id));
  return new Set(r.gradientCalls.flatMap((c) => c.layers.filter((l) => ids.has(l.layer)).map((l) => l.mode)));
}

test('frozen-layer-in-training-mode with fit: the frozen base is called through a wrapper layer in inference mode, and its BatchNorm stops moving', () => {
  const { before, after, fixed } = fixAndRerun('frozen-base.js', 'frozen-layer-in-training-mode', /^Call base in inference mode through a wrapper layer \(InferenceMode\)$/);
  assert.match(fixed, /\.apply\(new InferenceMode\(base\)\.apply\(input\)\)/);
  assert.match(fixed, /require\('@tensorflow\/tfjs'\);\n\n\/\*\*[^]*class InferenceMode extends tf\.layers\.Layer \{/);
  assert.equal(BASE_BN(before).length, 27);
  assert.deepEqual([...baseModes(before)], ['training']);
  assert.deepEqual([...baseModes(after)], ['inference'], 'every BatchNorm of the base ran in inference mode in every call');
  assert.deepEqual(after.findings.filter((f) => f.rule === 'frozen-layer-in-training-mode'), []);
  assert.equal(after.gradientCallCount, before.gradientCallCount, 'fit made the same gradient calls');
});

test('the wrapper in a TypeScript script: typed, type-checks, and the fixed script runs with the base in inference mode', () => {
  const toTs = (t: string) => t.replace("const tf = require('@tensorflow/tfjs');", "import * as tf from '@tensorflow/tfjs';");
  const { after, fixed } = fixAndRerun('frozen-base.js', 'frozen-layer-in-training-mode', /InferenceMode/, { name: 'frozen-base.ts', rewrite: toTs });
  assert.match(fixed, /constructor\(frozen: tf\.LayersModel\)/);
  assert.deepEqual([...baseModes(after)], ['inference']);
  // The example itself is plain JavaScript (its untyped `let x = input` reassignments do not type-check); the
  // class the fix adds must.
  const file = path.join(dir, 'frozen-base.ts');
  const program = ts.createProgram([file], {
    noEmit: true, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, types: ['node'], skipLibCheck: true, esModuleInterop: true,
  });
  const start = fixed.indexOf('class InferenceMode');
  const end = fixed.indexOf('\n}\n', start) + 2;
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.ok(!diagnostics.some((d) => d.code === 2307), 'tfjs\'s types were found (the class is checked against them)');
  const inClass = diagnostics
    .filter((d) => d.file?.fileName === file && d.start != null && d.start >= start && d.start < end);
  assert.deepEqual(inClass.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
});

test('no fix where none fits mechanically: layers frozen one by one inside a sequential model have no call to wrap', () => {
  const file = path.join(dir, 'frozen-layer-in-training-mode.js');
  copyFileSync(path.join(ROOT, 'examples', 'frozen-layer-in-training-mode.js'), file);
  const report = run(file);
  const finding = report.findings.find((f) => f.rule === 'frozen-layer-in-training-mode');
  assert.ok(finding);
  assert.deepEqual(fixesFor(finding, report, file, readFileSync(file, 'utf8')), []);
});

test('tf.tidy is offered only where it cannot change the loop; the reason otherwise', async () => {
  const { tidyBlocker } = await import('../../src/fixes/tidyLoop.ts');
  const body = (code: string) => {
    const sf = ts.createSourceFile('x.js', `for (;;) {\n${code}\n}`, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    return (sf.statements[0] as ts.ForStatement).statement as ts.Block;
  };
  const cases: [string, string | null][] = [
    ['const t = f(); g(t);', null],
    ['const a = []; a.push(f());', null],
    ['for (const b of bs) { if (b) break; }', null],
    ['const h = () => { return f(); }; h();', null],
    ['let n = 0; n = n + 1;', null],
    ['await tf.nextFrame();', 'the step awaits'],
    ['if (done) break;', 'the step breaks or continues the loop'],
    ['if (skip) continue;', 'the step breaks or continues the loop'],
    ['return f();', 'the step returns'],
    ['last = f();', 'the step stores into something declared outside it'],
    ['state.loss = f();', 'the step stores into something declared outside it'],
    ['losses.push(f());', 'the step stores into losses (push)'],
  ];
  for (const [code, reason] of cases) assert.equal(tidyBlocker(body(code)), reason, code);
});
