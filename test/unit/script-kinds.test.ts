// TypeScript and ES module scripts, and which tfjs runs: the project's own copy or the bundled one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { layerNamed, lineOf, ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';
import { clip, ReliabilitySection, secondsSince } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('script-kinds');

test('a TypeScript script runs, and its layers point at the original .ts lines and columns', () => {
  const script = path.join(SCRIPTS, 'typed.ts');
  const { code, stdout, report } = runCli(['run', script]);
  assert.equal(code, 0, stdout);
  assert.ok(report);
  assert.match(stdout, /phase 1 loss \d/);
  const bn = layerNamed(report, 'batch_normalization');
  const line = lineOf(script, 'batchNormalization(');
  // V8 places a method call at the method's name.
  const column = readFileSync(script, 'utf8').split('\n')[line - 1].indexOf('batchNormalization(') + 1;
  assert.deepEqual(bn.source, { file: script, line, column });
  assert.equal(report.gradientCalls[0].source?.line, lineOf(script, 'tf.variableGrads('));
  assert.equal(report.gradientCalls[0].layers.find((l) => l.layer === bn.id)?.batchNorm?.momentum, 0.9);
});

test('an ES module script with top-level await runs, fit included', () => {
  const script = path.join(SCRIPTS, 'module.mjs');
  const { code, stdout, report } = runCli(['run', script]);
  assert.equal(code, 0, stdout);
  assert.ok(report);
  assert.match(stdout, /epochs 2/);
  assert.equal(report.gradientCallCount, 2);
  assert.equal(layerNamed(report, 'dropout').source?.line, lineOf(script, 'tf.layers.dropout('));
  assert.deepEqual(report.gradientCalls.map((c) => c.api), ['fit', 'fit']);
});

doc.test('a TypeScript error in a .ts script names the file and line', () => {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-ts-'));
  const script = path.join(dir, 'broken.ts');
  writeFileSync(script, "import * as tf from '@tensorflow/tfjs';\nconst x: number = ;\n");
  const { code, stdout, report } = runCli(['run', script]);
  assert.equal(code, 1);
  assert.equal(report?.error?.file, script);
  assert.equal(report?.error?.line, 2);
  assert.match(stdout.replace(/\s+/g, ' '), /broken\.ts: Unexpected token \(2:\d+\)/, 'the printout names the file, line and column');
  rmSync(dir, { recursive: true });
  return {
    tried: 1,
    result: `exit ${code}, "${clip(report?.error?.message.replaceAll(dir, '<tmp>'), 90)}" at ${path.basename(script)}:${report?.error?.line} (${secondsSince(started)})`,
    lost: 'nothing: report written, no run started',
  };
}, { caseName: 'a syntax error in TypeScript' });

test('with no tfjs in the project, the bundled tfjs runs the script', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-bundled-'));
  const script = path.join(dir, 'train.js');
  copyFileSync(path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), script);
  const plain = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
  assert.match(plain.stderr, /Cannot find module '@tensorflow\/tfjs'/, 'plain node cannot run it');
  const { code, stdout, report } = runCli(['run', script], { cwd: dir });
  assert.equal(code, 0, stdout);
  assert.equal(report?.tfjs?.source, 'bundled');
  assert.equal(report?.tfjs?.backend, 'wasm', 'the bundled tfjs trains on wasm');
  assert.equal(report?.tfjs?.path, path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-core', 'dist'));
  // The script's own printout and the debugger agree on wasm too.
  assert.equal(report?.gradientCalls[0].lossDuring, Number(/loss calculated in gradient: (\S+)/.exec(stdout)?.[1]));
  assert.equal(report?.gradientCalls.length, 1);
  rmSync(dir, { recursive: true });
});

test('a CommonJS script whose helper import()s tfjs, and an ES module that imports it, with no tfjs in the project', () => {
  // The ES module hooks (the bundled tfjs for import, TypeScript in ES modules) are registered for a CommonJS
  // script only when one of its modules holds a dynamic import (src/runner/esmHookRegistration.ts): here a
  // helper module, not the script, and a .ts file imported without its extension.
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-lazy-esm-'));
  writeFileSync(path.join(dir, 'helper.js'), "module.exports = () => import('./model.mjs');\n");
  writeFileSync(path.join(dir, 'model.mjs'), [
    "import * as tf from '@tensorflow/tfjs';",
    "export async function train() {",
    "  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });",
    "  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });",
    "  await m.fit(tf.ones([4, 2]), tf.ones([4, 1]), { epochs: 2, verbose: 0 });",
    "}",
  ].join('\n'));
  writeFileSync(path.join(dir, 'scale.ts'), 'export const scale = (x: number): number => x * 3;\n');
  writeFileSync(path.join(dir, 'train.ts'), [
    "const load = require('./helper.js');",
    "(async () => {",
    "  const { scale } = await import('./scale');",
    "  console.log('scaled', scale(2));",
    "  await (await load()).train();",
    "})();",
  ].join('\n'));
  const { code, stdout, report } = runCli(['run', path.join(dir, 'train.ts')], { cwd: dir });
  assert.equal(code, 0, stdout);
  assert.match(stdout, /scaled 6/);
  assert.equal(report?.tfjs?.source, 'bundled');
  assert.equal(report?.gradientCalls.length, 2);
  rmSync(dir, { recursive: true });
});

test("with tfjs in the project, the project's own copy runs, not the bundled one", () => {
  // A project inside the repository, so that tfjs's own dependencies (long, seedrandom) resolve upwards,
  // with its own copy of tfjs-core, -layers and -backend-cpu marked with a version of its own.
  const project = mkdtempSync(path.join(ROOT, 'test', '.tmp-workspace-'));
  try {
    for (const pkg of ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu']) {
      const from = path.join(ROOT, 'node_modules', '@tensorflow', pkg);
      const to = path.join(project, 'node_modules', '@tensorflow', pkg);
      const manifest = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8'));
      mkdirSync(path.join(to, path.dirname(manifest.main)), { recursive: true });
      copyFileSync(path.join(from, manifest.main), path.join(to, manifest.main));
      writeFileSync(path.join(to, 'package.json'), JSON.stringify({ ...manifest, version: '4.22.0-workspace' }));
    }
    const script = path.join(project, 'train.js');
    writeFileSync(script, [
      "const tf = require('@tensorflow/tfjs-core');",
      "const tfl = require('@tensorflow/tfjs-layers');",
      "require('@tensorflow/tfjs-backend-cpu');",
      "console.log('core at', require.resolve('@tensorflow/tfjs-core'));",
      "const m = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [2] })] });",
      "tf.variableGrads(() => tf.sum(m.apply(tf.ones([3, 2]), { training: true })));",
    ].join('\n'));
    const { code, stdout, report } = runCli(['run', script], { cwd: project });
    assert.equal(code, 0, stdout);
    const resolved = /core at (\S+)/.exec(stdout)?.[1];
    assert.ok(resolved?.startsWith(project));
    assert.equal(report?.tfjs?.source, 'workspace');
    assert.equal(report?.tfjs?.version, '4.22.0-workspace');
    assert.equal(report?.tfjs?.path, path.dirname(resolved as string));
    assert.equal(report?.gradientCalls[0]?.layers[0]?.mode, 'training');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

doc.test('a project whose tfjs is an unsupported major version: exit 2, naming the version and the supported range', () => {
  const started = Date.now();
  const project = mkdtempSync(path.join(ROOT, 'test', '.tmp-old-tfjs-'));
  try {
    const to = path.join(project, 'node_modules', '@tensorflow', 'tfjs-core');
    mkdirSync(path.join(to, 'dist'), { recursive: true });
    writeFileSync(path.join(to, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-core', version: '3.21.0', main: 'dist/index.js' }));
    writeFileSync(path.join(to, 'dist', 'index.js'), 'module.exports = {};');
    const script = path.join(project, 'train.js');
    writeFileSync(script, "require('@tensorflow/tfjs-core');\n");
    const { code, stdout, report } = runCli(['run', script], { cwd: project });
    assert.equal(code, 2, stdout);
    assert.equal(report?.error?.kind, 'usage');
    assert.match(report?.error?.message ?? '', /tfjs-core 3\.21\.0 .* supports tfjs >=4\.0\.0 <5\.0\.0\. Install a 4\.x version/);
    const message = (report?.error?.message ?? '').replaceAll(project, '<project>');
    return { tried: 1, result: `exit ${code}, "${clip(message, 150)}" (${secondsSince(started)})`, lost: 'nothing: refused before the script ran' };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}, { caseName: 'the project\'s tfjs at an unsupported major version (3.21.0)' });
