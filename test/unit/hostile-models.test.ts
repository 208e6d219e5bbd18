// A saved model is data from anywhere: `probe` runs in untrusted workspaces. Each hostile model.json or --data
// file is refused before anything is read or allocated, with a sentence naming the entry, and reads nothing
// outside the model's folder (access times of the files there stay at 0). A property test mutates models with
// every hostile trick at once and checks the same for each, with the process's peak memory. Each case writes
// its row of docs/RELIABILITY.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { seededRandom } from '../../src/engine/probeEnvironment.ts';
import { layerNamePositions, ModelJsonError } from '../../src/engine/savedModel/modelJson.ts';
import { prepareSavedModelProbe } from '../../src/engine/savedModel/probeModel.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import {
  hostileWorld, manyLayers, manyWideInputs, markUnread, original, outsideEntries, readsDetectable, SECRET_TEXT, wasRead, writeModel,
  type HostileWorld,
} from '../helpers/hostileModels.ts';
import { clip, ReliabilitySection, secondsSince, type Outcome } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('hostile');
const world = hostileWorld();
const detectable = readsDetectable(world.root);

/** Asserts a refusal (exit 2, a usage error naming the model) that read nothing outside and leaked nothing. */
function refused(r: CliResult, started: number, pattern: RegExp, tried = 1): Outcome {
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.report?.error?.kind, 'usage');
  assert.match(r.report?.error?.message ?? '', pattern);
  const all = r.stdout + r.stderr + JSON.stringify(r.report);
  assert.ok(!all.includes(SECRET_TEXT.slice(0, 12)), 'no secret bytes in the output or the report');
  const read = [...world.outside, world.big].filter((f) => detectable && wasRead(f));
  assert.deepEqual(read, [], 'nothing outside the model folder (or the big file) was read');
  return {
    tried,
    result: `exit ${r.code}, "${clip(r.report?.error?.message.replaceAll(world.root, '<tmp>'), 110)}" (${secondsSince(started)})`,
    lost: detectable ? 'nothing: 0 bytes read outside the model folder' : 'nothing (this file system does not record reads: not checked)',
  };
}

function probe(json: unknown, extra: string[] = []): CliResult {
  return runCli(['probe', writeModel(world, json), ...extra]);
}

doc.test('shard paths outside the model folder: .., absolute, symlinks, URLs, drive paths', () => {
  const started = Date.now();
  const entries = outsideEntries(world);
  let last: CliResult | null = null;
  for (const entry of entries) {
    const json = original();
    json.weightsManifest[0].paths = [entry];
    last = probe(json);
    refused(last, started, /A shard path must be a file name relative to model\.json/);
    assert.match(last.report?.error?.message ?? '', new RegExp(`names ${JSON.stringify(entry).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
    assert.doesNotMatch(last.report?.error?.message ?? '', /\d+ bytes/, 'the size of a refused file is not told');
  }
  return refused(last as CliResult, started, /outside|URL|absolute|drive/, entries.length);
}, { caseName: 'shard paths out of the folder (.., absolute, symlinked file and folder, file:// and http:// URLs, a drive path)' });

doc.test('thirty shard entries naming one 3 GiB file: refused from the sizes, nothing read', () => {
  const started = Date.now();
  const json = original();
  json.weightsManifest[0].paths = Array.from({ length: 30 }, () => 'big.bin');
  return refused(probe(json), started, /hold \d+ bytes, but the weights listed for them need 360/);
}, { caseName: '30 shard entries naming one 3 GiB file' });

doc.test('a Dense layer of 200,000,000 units with no weights saved: refused before its initializer allocates', () => {
  const started = Date.now();
  const json = original();
  json.modelTopology.config.layers[0].config.units = 200_000_000;
  return refused(probe(json), started, /layer hidden builds a weight kernel of shape \[4,200000000\] that the weights manifest does not hold/);
}, { caseName: 'a Dense layer of 200,000,000 units, no weights saved' });

doc.test('six inputs of shape [null, 2^25]: refused before the batch is made', () => {
  const started = Date.now();
  return refused(probe(manyWideInputs(6, 2 ** 25)), started, /one example through the model makes more than \d+ values/);
}, { caseName: 'six inputs of shape [null, 2^25]' });

doc.test('shapes whose product overflows: [1e300,1e300,0] and [2^31, 2^31]', () => {
  const started = Date.now();
  for (const shape of [[1e300, 1e300, 0], [2 ** 31, 2 ** 31]]) {
    const json = original();
    json.weightsManifest[0].weights[0].shape = shape;
    const r = probe(json);
    refused(r, started, /larger than tfjs supports/);
    assert.doesNotMatch(r.report?.error?.message ?? '', /NaN/);
  }
  const json = original();
  json.weightsManifest[0].weights[0].shape = [2 ** 20, 2 ** 20];
  return refused(probe(json), started, /declares 1\.10e\+12 elements/, 3);
}, { caseName: 'shapes [1e300,1e300,0], [2^31,2^31] and [2^20,2^20]' });

doc.test('20,000 layers: refused from the count, before tfjs builds anything', () => {
  const started = Date.now();
  const { json } = manyLayers(20_000);
  return refused(probe(json), started, /declares 20000 layers, more than the 10000/);
}, { caseName: 'a model.json of 20,000 layers' });

doc.test('a 40 MB model.json: refused from its size, before it is read', () => {
  const started = Date.now();
  const json = original();
  json.generatedBy = ' '.repeat(40 * 2 ** 20);
  const r = probe(json);
  const o = refused(r, started, /is 40 MiB, more than the 32 MiB the probe reads/);
  return o;
}, { caseName: 'a 40 MB model.json (pretty-printed metadata)' });

doc.test('--data: /dev/zero, a named pipe and a directory are refused before they are opened', () => {
  const started = Date.now();
  const fifo = path.join(world.root, 'data.fifo');
  execFileSync('mkfifo', [fifo]);
  writeModel(world, original());
  const cases: [string, RegExp][] = [['/dev/zero', /is a device, not a file/], [fifo, /is a named pipe, not a file/], [world.root, /is a directory, not a file/]];
  let r: CliResult | null = null;
  for (const [data, pattern] of cases) {
    r = runCli(['probe', world.model, '--data', data], { timeoutMs: 60_000 });
    refused(r, started, pattern);
    assert.equal(r.report?.error?.file, data);
  }
  return refused(r as CliResult, started, /not a file/, cases.length);
}, { caseName: '--data /dev/zero, a named pipe (FIFO), a directory' });

doc.test('a model.json with a UTF-8 byte order mark probes, as tfjs reads it', () => {
  const started = Date.now();
  const r = probe('\uFEFF' + JSON.stringify(original(), null, 2));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.report?.gradientCalls.length, 1);
  assert.equal(r.report?.layers.find((l) => l.name === 'bn')?.source?.line, readFileSync(world.model, 'utf8').split('\n').findIndex((l) => l.includes('"name": "bn"')) + 1);
  return { tried: 1, result: `exit ${r.code}, probed: 1 gradient call, layers located (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: 'a model.json that starts with a UTF-8 byte order mark' });

test('20,000 layer names are located in one pass, each at its own line', () => {
  const { json } = manyLayers(20_000);
  const text = JSON.stringify(json, null, 2);
  const positions = layerNamePositions(text, 'model.json');
  const lines = text.split('\n');
  for (const name of ['d0', 'd9999', 'd19999']) {
    const at = positions.get(name);
    assert.ok(at, name);
    assert.match(lines[at.line - 1], new RegExp(`"name": "${name}"`));
  }
});

// ---- Property: no mutation reads outside the folder or passes the memory budget -------------------------

const load = createRequire(__filename);
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');
load('@tensorflow/tfjs-backend-cpu');

type Rng = () => number;
const pick = <T>(rng: Rng, xs: T[]): T => xs[Math.floor(rng() * xs.length)];

function hostileMutation(rng: Rng, w: HostileWorld): unknown {
  const m = rng() < 0.1 ? manyWideInputs(1 + Math.floor(rng() * 8), pick(rng, [2 ** 10, 2 ** 20, 2 ** 25, 2 ** 31])) : original();
  const group = m.weightsManifest[0] ?? (m.weightsManifest[0] = { paths: ['weights.bin'], weights: [] });
  for (let i = 1 + Math.floor(rng() * 3); i > 0; i--) {
    switch (Math.floor(rng() * 7)) {
      case 0: group.paths = [pick(rng, outsideEntries(w))]; break;
      case 1: group.paths = Array.from({ length: 1 + Math.floor(rng() * 40) }, () => pick(rng, ['big.bin', 'weights.bin', ...outsideEntries(w)])); break;
      case 2: { const l = m.modelTopology.config.layers[0]; if (l?.config) l.config.units = pick(rng, [2e8, 2 ** 31, 1e300, 65536, 3]); break; }
      case 3: { const l = m.modelTopology.config.layers[0]; if (l?.config) l.config.batch_input_shape = [null, pick(rng, [2 ** 25, 2 ** 31, 1e300, 7])]; break; }
      case 4: if (group.weights[0]) group.weights[0].shape = pick(rng, [[1e300, 1e300, 0], [2 ** 31, 2 ** 31], [2 ** 20, 2 ** 20], [2 ** 14, 2 ** 14], [4, 8]]); break;
      case 5: group.weights.push({ name: 'extra', shape: pick(rng, [[2 ** 27], [2 ** 28, 2], [16]]), dtype: 'float32' }); break;
      case 6: m.weightsManifest.push({ paths: [pick(rng, ['big.bin', ...outsideEntries(w)])], weights: [{ name: 'x', shape: [8], dtype: 'float32' }] }); break;
    }
  }
  return m;
}

export const PROPERTY_CASES = 300;
/** The most a probe may add to the process's peak memory: its budgets, not the machine. */
const PEAK_BUDGET_MB = 300;

doc.test(`property: ${PROPERTY_CASES} hostile mutations read nothing outside the model folder and stay within the memory budget`, async () => {
  const started = Date.now();
  const w = hostileWorld();
  const peakBefore = process.resourceUsage().maxRSS / 1024;
  const counts = { ok: 0, refused: 0 };
  for (let seed = 1; seed <= PROPERTY_CASES; seed++) {
    writeModel(w, hostileMutation(seededRandom(seed), w));
    try {
      await prepareSavedModelProbe(core, layers, w.model, null).run();
      counts.ok++;
    } catch (e) {
      if (!(e instanceof ModelJsonError)) assert.fail(`case ${seed}: ${(e as Error).stack}`);
      counts.refused++;
    }
    if (readsDetectable(w.root)) {
      const read = [...w.outside, w.big].filter(wasRead);
      assert.deepEqual(read, [], `case ${seed} read outside the model folder: ${readFileSync(w.model, 'utf8').slice(0, 400)}`);
    }
  }
  const growth = process.resourceUsage().maxRSS / 1024 - peakBefore;
  assert.ok(growth < PEAK_BUDGET_MB, `peak memory grew ${growth.toFixed(0)} MB`);
  assert.ok(counts.refused > PROPERTY_CASES / 2 && counts.ok > 0, JSON.stringify(counts));
  for (const f of [...w.outside, w.big]) markUnread(f);
  return {
    tried: PROPERTY_CASES,
    result: `${counts.refused} refused with a message, ${counts.ok} probed (the mutation left a loadable model); peak memory +${growth.toFixed(0)} MB (${secondsSince(started)})`,
    lost: detectable ? 'nothing: 0 bytes read outside the model folder in any case' : 'nothing (reads not detectable on this file system)',
  };
}, { caseName: `property: ${PROPERTY_CASES} seeded hostile mutations (outside paths, duplicated and huge shards, huge units, inputs and shapes)` });

test('the secret and the big file were never read by the CLI cases', () => {
  if (!detectable) return;
  assert.deepEqual([...world.outside, world.big].filter(wasRead), []);
  writeFileSync(path.join(world.root, 'done'), '');
});
