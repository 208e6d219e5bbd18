// Through the CLI: models that need the kernels wasm lacked train on the bundled backend from a folder with
// no node_modules, with the losses cpu gives; a run that used a cpu fallback says which; and a kernel
// missing on the project's own backend gets a message naming the kernel, the layer and its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { layerNamed, lineOf, ROOT, runCli } from '../helpers/cli.ts';

/** Three models whose gradients need kernels wasm 4.22 lacks: UnsortedSegmentSum, the LSTM's transposed
 *  products, Conv2DBackpropFilter and a strided Conv2DBackpropInput. Seeded, two steps each. */
const THREE_MODELS = `
const tf = require('@tensorflow/tfjs');
const seeded = (seed) => tf.initializers.glorotUniform({ seed });
async function main() {
  const text = tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6, embeddingsInitializer: seeded(1) }),
    tf.layers.lstm({ units: 5, kernelInitializer: seeded(2), recurrentInitializer: seeded(3) }),
    tf.layers.dense({ units: 1, kernelInitializer: seeded(4) }),
  ] });
  text.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const ids = tf.tensor2d(Array.from({ length: 24 }, (_, i) => (i * 7) % 50), [4, 6]);
  const h = await text.fit(ids, tf.tensor2d([[1], [0], [1], [0]]), { epochs: 2, batchSize: 4, verbose: 0 });
  console.log('text losses', h.history.loss.join(' '));

  const generator = tf.sequential({ layers: [
    tf.layers.conv2dTranspose({ inputShape: [3, 3, 4], filters: 3, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: seeded(5) }),
    tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: seeded(6) }),
  ] });
  const optimizer = tf.train.adam(0.01);
  const z = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 7);
  for (let step = 0; step < 2; step++) {
    const loss = optimizer.minimize(() => generator.apply(z).square().mean(), true);
    console.log('generator loss', loss.dataSync()[0]);
  }
}
main();
`;

function tempScript(prefix: string, source: string): { dir: string; script: string } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const script = path.join(dir, 'train.js');
  writeFileSync(script, source);
  return { dir, script };
}

test('an Embedding, an LSTM and a Conv2DTranspose model train on the bundled backend, with the losses cpu gives', () => {
  const { dir, script } = tempScript('tfjs-debug-kernels-', THREE_MODELS);
  try {
    const wasm = runCli(['run', script, '--quiet'], { cwd: dir });
    assert.equal(wasm.code, 0, wasm.stdout + wasm.stderr);
    assert.equal(wasm.report?.tfjs?.source, 'bundled');
    assert.equal(wasm.report?.tfjs?.backend, 'wasm');
    assert.equal(wasm.report?.tfjs?.fallbackKernels, undefined, 'every kernel these models need is native');
    assert.equal(wasm.report?.gradientCallCount, 4);
    const cpu = runCli(['run', script, '--quiet', '--backend', 'cpu'], { cwd: dir });
    assert.equal(cpu.code, 0, cpu.stdout);
    assert.equal(cpu.report?.tfjs?.backend, 'cpu');
    const losses = (r: typeof wasm) => (r.report?.gradientCalls ?? []).map((c) => c.lossDuring as number);
    assert.equal(losses(wasm).length, 4);
    losses(wasm).forEach((l, i) => {
      const want = losses(cpu)[i];
      assert.ok(Number.isFinite(l) && Math.abs(l - want) <= 1e-4 * Math.max(1, Math.abs(want)), `call ${i + 1}: wasm ${l}, cpu ${want}`);
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a run that used a cpu fallback kernel says which, in the report and the header line', () => {
  const { dir, script } = tempScript('tfjs-debug-fallback-', `
const tf = require('@tensorflow/tfjs');
const model = tf.sequential({ layers: [
  tf.layers.conv3d({ inputShape: [4, 4, 4, 1], filters: 2, kernelSize: 2 }),
  tf.layers.conv3d({ filters: 2, kernelSize: 2 }), // its input gradient: Conv3DBackpropInputV2
  tf.layers.flatten(), tf.layers.dense({ units: 1 }),
] });
const x = tf.ones([2, 4, 4, 4, 1]);
tf.variableGrads(() => model.apply(x).sum());
`);
  try {
    const { code, stdout, report } = runCli(['run', script, '--quiet'], { cwd: dir });
    assert.equal(code, 0, stdout);
    // wasm's own Conv3DBackpropInputV2 is wrong (test/unit/wasm-kernels.test.ts): cpu's serves it.
    assert.deepEqual(report?.tfjs?.fallbackKernels, ['Conv3DBackpropInputV2']);
    assert.match(stdout.replace(/\s+/g, ' '), /tfjs 4\.22\.0 \(bundled, backend wasm; cpu kernels for Conv3DBackpropInputV2\) · 1 gradient call/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a complex64 kernel on the bundled wasm backend: the debugger\'s limit, said so, with --backend cpu as the way out', () => {
  const { dir, script } = tempScript('tfjs-debug-complex-', `
const tf = require('@tensorflow/tfjs');
const spectrum = tf.spectral.rfft(tf.ones([8]));
console.log('bins', spectrum.shape[0]);
`);
  try {
    const wasm = runCli(['run', script, '--quiet'], { cwd: dir });
    assert.equal(wasm.code, 1, wasm.stdout);
    assert.equal(wasm.report?.error?.kind, 'internal');
    assert.match(wasm.report?.error?.message ?? '', /The wasm backend the debugger runs on has no 'Complex' kernel \(wasm cannot hold complex64 tensors\), and the model needs it\. Run with --backend cpu/);
    assert.equal(wasm.report?.error?.line, lineOf(script, 'tf.spectral.rfft('));
    const cpu = runCli(['run', script, '--quiet', '--backend', 'cpu'], { cwd: dir });
    assert.equal(cpu.code, 0, cpu.stdout);
    assert.match(cpu.stdout, /bins 5/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

/** A project inside the repository (tfjs's dependencies resolve upwards) with its own tfjs and wasm backend. */
function projectWithOwnWasm(prefix: string): string {
  const project = mkdtempSync(path.join(ROOT, 'test', prefix));
  for (const pkg of ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm']) {
    const from = path.join(ROOT, 'node_modules', '@tensorflow', pkg);
    const to = path.join(project, 'node_modules', '@tensorflow', pkg);
    const manifest = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8'));
    const files = [manifest.main, ...(pkg === 'tfjs-backend-wasm' ? ['dist/tfjs-backend-wasm.wasm', 'dist/tfjs-backend-wasm-simd.wasm', 'dist/tfjs-backend-wasm-threaded-simd.wasm', 'wasm-out/tfjs-backend-wasm.js', 'wasm-out/tfjs-backend-wasm-simd.js'] : [])];
    for (const file of files) {
      mkdirSync(path.join(to, path.dirname(file)), { recursive: true });
      copyFileSync(path.join(from, file), path.join(to, file));
    }
    writeFileSync(path.join(to, 'package.json'), JSON.stringify(manifest));
  }
  return project;
}

const OWN_WASM_PRELUDE = [
  "const tf = require('@tensorflow/tfjs-core');",
  "const tfl = require('@tensorflow/tfjs-layers');",
  "require('@tensorflow/tfjs-backend-cpu');",
  "require('@tensorflow/tfjs-backend-wasm');",
];

test("a gradient kernel missing on the project's own backend: the kernel, the layer and its line, and what to run", async (t) => {
  const project = projectWithOwnWasm('.tmp-own-wasm-');
  try {
    const script = path.join(project, 'train.js');
    writeFileSync(script, [...OWN_WASM_PRELUDE,
      'tf.setBackend(\'wasm\').then(() => {',
      '  const model = tfl.sequential({ layers: [',
      '    tfl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 4 }),',
      '    tfl.layers.flatten(),',
      '  ] });',
      '  tf.variableGrads(() => tf.sum(model.apply(tf.tensor2d([[1, 2, 3, 4]]))));',
      '});',
    ].join('\n'));
    await t.test('on the project\'s wasm as installed: exit 2', () => {
      const { code, stdout, report } = runCli(['run', script, '--quiet'], { cwd: project });
      assert.equal(code, 2, stdout);
      assert.equal(report?.tfjs?.source, 'workspace');
      const error = report?.error;
      assert.equal(error?.kind, 'usage');
      assert.match(error?.message ?? '', /no 'UnsortedSegmentSum' kernel for the wasm backend, and the gradient of GatherV2 in layer embedding_Embedding\d+ \(Embedding, built at train\.js:7\) needs it/);
      assert.match(error?.message ?? '', /Run with --backend wasm/);
      assert.equal(error?.file, script);
      assert.equal(error?.line, lineOf(script, 'tfl.layers.embedding('));
      assert.equal(layerNamed(report!, 'embedding').source?.line, error?.line);
    });
    await t.test('with --backend wasm, as the message says: it trains', () => {
      const { code, stdout, report } = runCli(['run', script, '--quiet', '--backend', 'wasm'], { cwd: project });
      assert.equal(code, 0, stdout);
      assert.equal(report?.gradientCallCount, 1);
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test("a forward kernel missing on the project's own backend names the layer whose apply failed", () => {
  const project = projectWithOwnWasm('.tmp-own-wasm-forward-');
  try {
    const script = path.join(project, 'train.js');
    writeFileSync(script, [...OWN_WASM_PRELUDE,
      'class Bilinear extends tfl.layers.Layer {',
      '  static className = "Bilinear";',
      "  call(inputs) { return tf.einsum('bi,bj->bij', inputs, inputs); }",
      '  computeOutputShape(s) { return [s[0], s[1], s[1]]; }',
      '}',
      'tf.setBackend(\'wasm\').then(() => {',
      '  const layer = new Bilinear({});',
      '  const v = tf.variable(tf.ones([2, 3]));',
      '  tf.variableGrads(() => tf.sum(layer.apply(v)));',
      '});',
    ].join('\n'));
    const { code, stdout, report } = runCli(['run', script, '--quiet'], { cwd: project });
    assert.equal(code, 2, stdout);
    // A layer class of the script's own is located where the registry locates it: its constructor.
    const line = layerNamed(report!, 'bilinear').source?.line;
    assert.equal(line, lineOf(script, 'class Bilinear'));
    assert.match(report?.error?.message ?? '', new RegExp(`no 'Einsum' kernel for the wasm backend, and the forward pass in layer bilinear_Bilinear\\d+ \\(Bilinear, built at train\\.js:${line}\\) needs it`));
    assert.equal(report?.error?.line, line);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
