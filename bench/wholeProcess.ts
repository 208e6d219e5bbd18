// Part (h) of npm run bench: what a user feels on short scripts. Each script in bench/scripts (a fit on tabular
// data, an LSTM, a CNN with BatchNorm and Dropout, a custom-loop GAN: 5 to 60 s each) runs as a whole process,
// plainly (`node script.js`) and under the debugger (`tfjs-debug run script.js` at the defaults), on the same
// tfjs and backend (the project's own, cpu), alternating plain and debugged runs. The ratio is of the medians of
// the wall times; a last debugged run with --json counts the gradient calls and the probed ones.
//
//   node --import tsx bench/wholeProcess.ts [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunReport } from '../src/protocol/report.ts';
import { runAlone, type BenchSection } from './section.ts';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'tfjs-debug.js');
const SCRIPTS = [
  { file: 'tabular-fit.js', style: 'model.fit on tabular data (Dense + Dropout)' },
  { file: 'lstm.js', style: 'LSTM on sequences, model.fit' },
  { file: 'cnn-dropout.js', style: 'CNN with BatchNorm and Dropout, model.fit' },
  { file: 'gan.js', style: 'GAN, custom loop with optimizer.minimize' },
];
const TARGET = { median: 1.15, worst: 1.3 };

function wallSeconds(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return (performance.now() - t) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Row { file: string; style: string; plain: number; debugged: number; ratio: number; calls: number; probed: number }

export async function run({ quick }: { quick: boolean }): Promise<BenchSection> {
  const rounds = quick ? 1 : 3;
  const rows: Row[] = [];
  for (const { file, style } of SCRIPTS) {
    const script = path.join(ROOT, 'bench', 'scripts', file);
    const plain: number[] = [];
    const debugged: number[] = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(wallSeconds([script]));
      debugged.push(wallSeconds([BIN, 'run', script, '--quiet']));
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-bench-'));
    const json = path.join(dir, 'report.json');
    wallSeconds([BIN, 'run', script, '--quiet', '--json', json]);
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    rmSync(dir, { recursive: true, force: true });
    const probed = report.gradientCalls.filter((c) => c.probed).length;
    const row = { file, style, plain: median(plain), debugged: median(debugged), ratio: median(debugged) / median(plain), calls: report.gradientCallCount, probed };
    rows.push(row);
    console.error(`${file}: ${row.plain.toFixed(2)} s → ${row.debugged.toFixed(2)} s, ratio ${row.ratio.toFixed(3)} (${probed} of ${row.calls} calls probed)`);
  }
  const ratios = rows.map((r) => r.ratio);
  const med = median(ratios);
  const worst = Math.max(...ratios);
  const met = (x: number, t: number) => `${x.toFixed(3)} (target ≤ ${t}: ${x <= t ? 'met' : 'not met'})`;
  const markdown = [
    'Whole process, as a user runs it: `node script.js` against `tfjs-debug run script.js --quiet` at the defaults (the',
    'runner process, the instrumentation, probes within their 3% budget, the report), same tfjs and backend (the',
    `project's own tfjs, cpu). Plain and debugged runs alternate; medians of ${rounds} runs each. The scripts are in bench/scripts.`,
    '',
    '| script | style | plain s | debugger s | ratio | gradient calls | probed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.file} | ${r.style} | ${r.plain.toFixed(2)} | ${r.debugged.toFixed(2)} | ${r.ratio.toFixed(3)} | ${r.calls} | ${r.probed} |`),
    '',
    `Median ratio ${met(med, TARGET.median)}; worst ${met(worst, TARGET.worst)}.`,
  ].join('\n');
  return { title: 'Whole process on short scripts', markdown, summary: `median ${med.toFixed(3)}, worst ${worst.toFixed(3)}` };
}

if (require.main === module) runAlone(run);
