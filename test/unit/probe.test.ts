// tfjs-debug probe on saved models: a real model with BatchNorm and Dropout, and each way a model.json can be
// broken, which must fail with exit code 2 and one sentence naming the file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LayerInfo } from '../../src/protocol/report.ts';
import { lineOf, ROOT, runCli } from '../helpers/cli.ts';
import { clip, ReliabilitySection, secondsSince } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('models');

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout');

function copyFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-model-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function editModel(dir: string, edit: (json: any) => void): string {
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

describe('probe on a saved model', () => {
  test('BatchNorm and Dropout: training mode inside the call, layers located at their "name" in model.json', () => {
    const model = path.join(FIXTURE, 'model.json');
    const { code, stdout, report } = runCli(['probe', model]);
    assert.equal(code, 0, stdout);
    assert.ok(report);
    assert.equal(report.tfjs?.source, 'bundled');
    assert.equal(report.gradientCalls.length, 1);
    const call = report.gradientCalls[0];
    // Synthetic targets are the model's own inference outputs, so under mean squared error lossBefore is 0
    // and the whole gap comes from the mode.
    assert.equal(call.lossBefore, 0);
    assert.ok((call.lossDuring as number) > 0);
    for (const name of ['hidden', 'bn', 'drop', 'out']) {
      const layer: LayerInfo | undefined = report.layers.find((l) => l.name === name);
      if (!layer) throw new Error(`no layer ${name}`);
      const id: number = layer.id;
      assert.deepEqual([layer.source?.file, layer.source?.line], [model, lineOf(model, `"name": "${name}"`)]);
      assert.equal(call.layers.find((l) => l.layer === id)?.mode, 'training');
    }
    const rules = report.findings.map((f) => f.rule);
    assert.ok(rules.includes('loss-gap') && rules.includes('dropout-in-gradient'), rules.join());
    const attributed = new Set(call.attribution?.map((a) => report.layers.find((l) => l.id === a.layer)?.name));
    assert.deepEqual(attributed, new Set(['bn', 'drop']));
  });

  doc.test('--data: the given batch, and a clear error when it does not fit the input', () => {
    const started = Date.now();
    const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-data-'));
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ x: [[1, 2, 3, 4], [0, 1, 0, 1], [2, 2, 2, 2]], y: [[0, 1], [1, 0], [0, 0]] }));
    const ok = runCli(['probe', path.join(FIXTURE, 'model.json'), '--data', good]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.ok((ok.report?.gradientCalls[0].lossBefore as number) > 0);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ x: [[1, 2, 3]], y: [[0, 1]] }));
    const r = runCli(['probe', path.join(FIXTURE, 'model.json'), '--data', bad]);
    assert.equal(r.code, 2);
    assert.equal(r.report?.error?.file, bad);
    assert.match(r.report?.error?.message ?? '', /x has shape \[1,3\], but the model's input .* has shape \[null,4\]/);
    rmSync(dir, { recursive: true });
    const next = runCli(['probe', path.join(FIXTURE, 'model.json')]);
    assert.equal(next.code, 0);
    return {
      tried: 1,
      result: `exit ${r.code}, "${clip(r.report?.error?.message.replaceAll(dir, '<tmp>'), 110)}" (${secondsSince(started)})`,
      lost: `nothing: the good batch probes (exit ${ok.code}), the next probe exits ${next.code}`,
    };
  }, { caseName: 'data that does not fit the input shape (--data)' });
});

describe('a broken model.json fails cleanly with exit code 2', () => {
  const cases: { name: string; breakIt: (dir: string) => void; expect: RegExp; line?: (file: string) => number }[] = [
    { name: 'invalid JSON', breakIt: (d) => writeFileSync(path.join(d, 'model.json'), '{\n  "format": "layers-model",\n  "modelTopology": {,\n}'), expect: /is not valid JSON \(line 3, column \d+\)/, line: () => 3 },
    { name: 'a missing weight shard', breakIt: (d) => unlinkSync(path.join(d, 'weights.bin')), expect: /weight shard weights\.bin is missing/ },
    { name: 'a truncated weight shard', breakIt: (d) => truncateSync(path.join(d, 'weights.bin'), 100), expect: /hold 100 bytes, but the weights listed for them need 360\. A shard is truncated/ },
    {
      name: 'an unknown layer class',
      breakIt: (d) => editModel(d, (j) => { j.modelTopology.config.layers[1].class_name = 'FancyNorm'; }),
      expect: /unknown layer class FancyNorm \(line \d+\)/,
      line: (f) => lineOf(f, '"FancyNorm"'),
    },
    {
      name: 'a declared shape of 10^12 elements, refused before allocating',
      breakIt: (d) => editModel(d, (j) => { j.weightsManifest[0].weights[0].shape = [1000000, 1000000]; }),
      expect: /declares 1\.00e\+12 elements/,
    },
    { name: 'a wrong dtype', breakIt: (d) => editModel(d, (j) => { j.weightsManifest[0].weights[0].dtype = 'complex128'; }), expect: /dtype "complex128"/ },
    { name: 'a graph model', breakIt: (d) => editModel(d, (j) => { j.format = 'graph-model'; }), expect: /is a graph model/ },
    { name: 'no modelTopology', breakIt: (d) => editModel(d, (j) => { delete j.modelTopology; }), expect: /has no modelTopology/ },
  ];
  for (const c of cases) {
    doc.test(c.name, () => {
      const started = Date.now();
      const dir = copyFixture();
      const model = path.join(dir, 'model.json');
      c.breakIt(dir);
      const { code, stdout, report } = runCli(['probe', model]);
      assert.equal(code, 2, stdout);
      assert.equal(report?.error?.kind, 'usage');
      assert.equal(report?.error?.file, model);
      assert.match(report?.error?.message ?? '', c.expect);
      if (c.line) assert.equal(report?.error?.line, c.line(model));
      assert.match(stdout.replace(/\s+/g, ' '), /model\.json/);
      rmSync(dir, { recursive: true });
      const next = runCli(['probe', path.join(FIXTURE, 'model.json')]);
      assert.equal(next.code, 0, 'the next probe works');
      return {
        tried: 1,
        result: `exit ${code}, "${clip(report?.error?.message.replaceAll(dir, '<tmp>'), 110)}"${report?.error?.line ? ` at line ${report.error.line}` : ''} (${secondsSince(started)})`,
        lost: `nothing: no allocation, the next probe exits ${next.code}`,
      };
    });
  }
});
