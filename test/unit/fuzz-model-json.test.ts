// A seeded mutation fuzzer over saved models (structure, shapes, dtypes, shard manifests) and over the --data
// file. Every case must end in a result or a ModelJsonError (exit code 2 and one sentence in the CLI), never
// in any other exception. Runs in process for speed; a sample goes through the real CLI too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { seededRandom } from '../../src/engine/probeEnvironment.ts';
import { ModelJsonError } from '../../src/engine/savedModel/modelJson.ts';
import { prepareSavedModelProbe } from '../../src/engine/savedModel/probeModel.ts';
import { ROOT, runCli } from '../helpers/cli.ts';
import { recordReliability } from '../helpers/reliability.ts';

const load = createRequire(__filename);
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');
load('@tensorflow/tfjs-backend-cpu');

export const MODEL_CASES = 1500;
export const DATA_CASES = 500;
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout');
const original = JSON.parse(readFileSync(path.join(FIXTURE, 'model.json'), 'utf8'));
const weights = readFileSync(path.join(FIXTURE, 'weights.bin'));

type Rng = () => number;
const pick = <T>(rng: Rng, xs: T[]): T => xs[Math.floor(rng() * xs.length)];
const WEIRD: unknown[] = [null, 0, -1, 1e12, 3.5, '', 'x', [], {}, [1, 2], true, NaN, '<script>', { class_name: 'Dense' }];

/** All [parent, key] places in a JSON value. */
function places(value: any, out: [any, string | number][] = []): [any, string | number][] {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const k = Array.isArray(value) ? Number(key) : key;
      out.push([value, k]);
      places(value[k], out);
    }
  }
  return out;
}

function mutateModel(rng: Rng): { json: string; shard: Buffer } {
  const m = structuredClone(original);
  let shard = weights;
  const group = () => (Array.isArray(m.weightsManifest) && m.weightsManifest[0] && typeof m.weightsManifest[0] === 'object' ? m.weightsManifest[0] : {});
  const spec = () => { const ws = group().weights; return Array.isArray(ws) && ws.length && ws[0] && typeof ws[0] === 'object' ? pick(rng, ws) : {}; };
  const n = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < n; i++) {
    switch (Math.floor(rng() * 9)) {
      case 0: { const [o, k] = pick(rng, places(m)); o[k] = pick(rng, WEIRD); break; }
      case 1: { const [o, k] = pick(rng, places(m)); if (Array.isArray(o)) o.splice(Number(k), 1); else delete o[k]; break; }
      case 2: spec().shape = pick(rng, [[0], [-1, 2], [1e6, 1e6], [3.5], 'abc', [8, 8, 8], [], [2 ** 31]]); break;
      case 3: spec().dtype = pick(rng, ['float64', 'complex64', 'string', 'int32', 'bool', 'uint8', 7]); break;
      case 4: group().paths = pick(rng, [[], ['missing.bin'], ['../weights.bin'], [''], [5], ['weights.bin', 'weights.bin']]); break;
      case 5: shard = shard.subarray(0, Math.floor(rng() * shard.length)); break;
      case 6: shard = Buffer.concat([shard, Buffer.alloc(1 + Math.floor(rng() * 64))]); break;
      case 7: { const layersList = m.modelTopology?.config?.layers; if (Array.isArray(layersList) && layersList.length) pick(rng, layersList).class_name = pick(rng, ['Nope', 'Conv2D', 'Dense', 'LSTM', '']); break; }
      case 8: { const [o, k] = pick(rng, places(m)); if (typeof o[k] === 'number') o[k] = pick(rng, [0, -5, 1e9, 0.5]); break; }
    }
  }
  const text = rng() < 0.05 ? JSON.stringify(m).slice(0, Math.floor(rng() * 2000)) : JSON.stringify(m, null, 1);
  return { json: text, shard };
}

function mutateData(rng: Rng): string {
  const row = () => Array.from({ length: pick(rng, [4, 4, 4, 3, 5, 0]) }, () => pick(rng, [rng() * 4 - 2, rng(), 0, 1]));
  const rows = Array.from({ length: pick(rng, [1, 2, 8, 0]) }, row);
  const data: any = { x: rows, y: rows.map(() => [rng(), rng()]) };
  switch (Math.floor(rng() * 8)) {
    case 0: data.x = pick(rng, WEIRD); break;
    case 1: data.y = pick(rng, WEIRD); break;
    case 2: delete data.y; break;
    case 3: data.x = [[[1, 2, 3, 4]]]; break;
    case 4: data.y = data.y.slice(1); break;
    case 5: return pick(rng, ['', '{', '[]', 'null', '{"x": 1}', '{"x": [[1,2,3,4]], "y": "nope"}']);
    case 6: data.x = [[1, 2, 'three', 4]]; break;
    default: break;
  }
  return JSON.stringify(data);
}

async function probeOnce(dir: string, dataFile: string | null): Promise<'ok' | 'refused'> {
  try {
    const probe = prepareSavedModelProbe(core, layers, path.join(dir, 'model.json'), dataFile);
    await probe.run();
    return 'ok';
  } catch (e) {
    if (e instanceof ModelJsonError) {
      assert.ok(e.message.length > 10 && e.message.length < 2000, e.message);
      return 'refused';
    }
    throw e;
  }
}

test(`fuzz: ${MODEL_CASES} mutated model.json files and ${DATA_CASES} mutated --data files, never an unhandled exception`, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-fuzz-'));
  const counts = { ok: 0, refused: 0 };
  const before = core.memory().numTensors;
  for (let seed = 1; seed <= MODEL_CASES; seed++) {
    const { json, shard } = mutateModel(seededRandom(seed));
    writeFileSync(path.join(dir, 'model.json'), json);
    writeFileSync(path.join(dir, 'weights.bin'), shard);
    try {
      counts[await probeOnce(dir, null)]++;
    } catch (e) {
      assert.fail(`model case ${seed}: unhandled ${(e as Error).stack}`);
    }
  }
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(original));
  copyFileSync(path.join(FIXTURE, 'weights.bin'), path.join(dir, 'weights.bin'));
  const dataFile = path.join(dir, 'data.json');
  const dataCounts = { ok: 0, refused: 0 };
  for (let seed = 1; seed <= DATA_CASES; seed++) {
    writeFileSync(dataFile, mutateData(seededRandom(100_000 + seed)));
    try {
      dataCounts[await probeOnce(dir, dataFile)]++;
    } catch (e) {
      assert.fail(`data case ${seed}: unhandled ${(e as Error).stack}`);
    }
  }
  assert.ok(counts.ok > 20 && counts.refused > 500, JSON.stringify(counts));
  assert.ok(dataCounts.ok > 20 && dataCounts.refused > 100, JSON.stringify(dataCounts));
  // Each probe runs in its own process in the CLI; in process, a few odd failures inside tfjs's own loader
  // still leave tensors behind. Keep that rare.
  const left = core.memory().numTensors - before;
  assert.ok(left < (MODEL_CASES + DATA_CASES) / 5, `tensors left behind: ${left}`);
  recordReliability('fuzz', [
    { case: `mutated model.json (structure, shapes, dtypes, shard manifests), seeds 1–${MODEL_CASES}`, tried: MODEL_CASES, result: `${counts.ok} probed, ${counts.refused} refused with a message`, lost: `nothing: no unhandled exception (in process, ${left} tensors left by tfjs's loader)` },
    { case: `mutated --data files, seeds 100001–${100_000 + DATA_CASES}`, tried: DATA_CASES, result: `${dataCounts.ok} probed, ${dataCounts.refused} refused with a message`, lost: 'nothing: no unhandled exception' },
  ]);
});

test('fuzz sample through the CLI: exit code 0 or 2, never a crash', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-fuzz-cli-'));
  for (const seed of [3, 17, 42, 99, 123, 256, 777, 1001]) {
    const { json, shard } = mutateModel(seededRandom(seed));
    writeFileSync(path.join(dir, 'model.json'), json);
    writeFileSync(path.join(dir, 'weights.bin'), shard);
    const r = runCli(['probe', path.join(dir, 'model.json')]);
    assert.ok(r.code === 0 || r.code === 2, `seed ${seed}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    if (r.code === 2) assert.equal(r.report?.error?.kind, 'usage');
  }
});
