// (g) Hostile saved models: how long `tfjs-debug probe` takes to refuse each, and the peak memory of the whole
// command (CLI and runner: GNU time's maximum resident set, the largest process), plus how long locating the
// layer names of a 20,000-layer model.json takes. The tests (test/unit/hostile-models.test.ts) check the
// refusals and that nothing outside the model folder is read; this measures them.
//   node --import tsx bench/hostile.ts
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { layerNamePositions } from '../src/engine/savedModel/modelJson.ts';
import { BIN } from '../test/helpers/cli.ts';
import { hostileWorld, manyLayers, manyWideInputs, original, outsideEntries, wasRead, writeModel } from '../test/helpers/hostileModels.ts';
import { runAlone, type BenchSection } from './section.ts';

const TIME = '/usr/bin/time';

interface Case {
  name: string;
  model: unknown;
  data?: string;
}

function measure(model: string, data?: string): { seconds: number; peakMb: number | null; code: number | null } {
  const args = [BIN, 'probe', model, '--quiet', ...(data ? ['--data', data] : [])];
  const timed = existsSync(TIME);
  const started = process.hrtime.bigint();
  const r = spawnSync(timed ? TIME : process.execPath, timed ? ['-f', 'PEAK %M', process.execPath, ...args] : args, { encoding: 'utf8', timeout: 120_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peak = /PEAK (\d+)/.exec(r.stderr)?.[1];
  return { seconds, peakMb: peak ? Number(peak) / 1024 : null, code: r.status };
}

export async function run(): Promise<BenchSection> {
  const world = hostileWorld();
  const withPaths = (paths: string[]) => { const j = original(); j.weightsManifest[0].paths = paths; return j; };
  const withUnits = (units: number) => { const j = original(); j.modelTopology.config.layers[0].config.units = units; return j; };
  const withShape = (shape: number[]) => { const j = original(); j.weightsManifest[0].weights[0].shape = shape; return j; };
  const padded = original();
  padded.generatedBy = ' '.repeat(40 * 2 ** 20);
  const many = manyLayers(20_000).json;
  const cases: Case[] = [
    ...outsideEntries(world).map((entry) => ({ name: `shard path ${JSON.stringify(entry.replace(world.root, '<tmp>'))}`, model: withPaths([entry]) })),
    { name: '30 shard entries naming one 3 GiB file', model: withPaths(Array.from({ length: 30 }, () => 'big.bin')) },
    { name: 'Dense of 200,000,000 units, no weights', model: withUnits(200_000_000) },
    { name: 'six inputs of shape [null, 2^25]', model: manyWideInputs(6, 2 ** 25) },
    { name: 'weight shape [1e300, 1e300, 0]', model: withShape([1e300, 1e300, 0]) },
    { name: 'weight shape [2^20, 2^20]', model: withShape([2 ** 20, 2 ** 20]) },
    { name: `20,000 layers (${(JSON.stringify(many, null, 2).length / 2 ** 20).toFixed(1)} MB)`, model: many },
    { name: '40 MB model.json', model: padded },
    { name: '--data /dev/zero', model: original(), data: '/dev/zero' },
  ];
  const rows: string[] = [];
  let worstSeconds = 0;
  let worstPeak = 0;
  for (const c of cases) {
    writeModel(world, c.model);
    const m = measure(world.model, c.data);
    worstSeconds = Math.max(worstSeconds, m.seconds);
    worstPeak = Math.max(worstPeak, m.peakMb ?? 0);
    rows.push(`| ${c.name} | ${m.code} | ${m.seconds.toFixed(2)} s | ${m.peakMb == null ? 'n/a' : `${m.peakMb.toFixed(0)} MB`} |`);
  }
  const readOutside = [...world.outside, world.big].filter(wasRead).length;

  const text = JSON.stringify(many, null, 2);
  writeFileSync(path.join(world.root, 'many.json'), text);
  const times: number[] = [];
  let located = 0;
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    located = layerNamePositions(text, 'model.json').size;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const locateMs = times[2];
  return {
    title: '(g) Hostile saved models: refusal time and peak memory',
    summary: `${cases.length} hostile models refused in at most ${worstSeconds.toFixed(2)} s, peak ${worstPeak.toFixed(0)} MB; ${readOutside} files outside read; 20,000 layer names located in ${locateMs.toFixed(0)} ms`,
    markdown: [
      'Each `tfjs-debug probe` on a hostile model.json, the whole command (Node start-up, the runner, the wasm',
      'backend compiled, the refusal). Peak: the largest resident set of the processes (GNU time).',
      '',
      '| model | exit | time | peak memory |',
      '| --- | ---: | ---: | ---: |',
      ...rows,
      '',
      `Files outside the model folder (and the 3 GiB file inside it) read: ${readOutside} (by access time).`,
      `Locating the layer names of a 20,000-layer model.json (${(text.length / 2 ** 20).toFixed(1)} MB, ${located} names): ` +
        `${locateMs.toFixed(0)} ms (median of 5; one pass over the text).`,
    ].join('\n'),
  };
}

if (require.main === module) runAlone(run);
