// Part (h) of npm run bench: what a user feels on short scripts. Each script in bench/scripts (a fit on tabular
// data, an LSTM, a CNN with BatchNorm and Dropout, a custom-loop GAN: 5 to 60 s each) runs as a whole process,
// plainly (`node script.js`) and under the debugger (`tfjs-debug run script.js` at the defaults), on the same
// tfjs and backend (the project's own, cpu), alternating plain and debugged runs. The ratios are of the medians of
// the wall times and of the CPU times (user + system of the whole process tree, from GNU time: on a shared
// machine the wall time carries the other jobs' load, the CPU time much less); a last debugged run with --json
// counts the gradient calls and the probed ones.
//
//   node --import tsx bench/wholeProcess.ts [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunReport } from '../src/protocol/report.ts';
import { median, runAlone, type BenchSection } from './section.ts';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'tfjs-debug.js');
const SCRIPTS = [
  { file: 'tabular-fit.js', style: 'model.fit on tabular data (Dense + Dropout)' },
  { file: 'lstm.js', style: 'LSTM on sequences, model.fit' },
  { file: 'cnn-dropout.js', style: 'CNN with BatchNorm and Dropout, model.fit' },
  { file: 'gan.js', style: 'GAN, custom loop with optimizer.minimize' },
];
const TARGET = { median: 1.15, worst: 1.3 };

const TIME = '/usr/bin/time';

/** Wall and CPU seconds of one run (CPU: the process and every child it waited for, the runner included). */
function timed(args: string[]): { wall: number; cpu: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-time-'));
  const out = path.join(dir, 'time');
  const t = performance.now();
  const r = spawnSync(TIME, ['-f', '%U %S', '-o', out, process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const [user, system] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  rmSync(dir, { recursive: true, force: true });
  return { wall, cpu: user + system };
}

interface Row {
  file: string; style: string; plain: number; debugged: number; ratio: number; plainCpu: number; debuggedCpu: number; cpuRatio: number;
  calls: number; probed: number;
}

export async function run({ quick }: { quick: boolean }): Promise<BenchSection> {
  // Five of each: on a shared machine one run can be 15% off its neighbours.
  const rounds = quick ? 1 : 5;
  const rows: Row[] = [];
  const loadBefore = loadavg()[0];
  for (const { file, style } of SCRIPTS) {
    const script = path.join(ROOT, 'bench', 'scripts', file);
    const plain: { wall: number; cpu: number }[] = [];
    const debugged: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(timed([script]));
      debugged.push(timed([BIN, 'run', script, '--quiet']));
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-bench-'));
    const json = path.join(dir, 'report.json');
    timed([BIN, 'run', script, '--quiet', '--json', json]);
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    rmSync(dir, { recursive: true, force: true });
    const probed = report.gradientCalls.filter((c) => c.probed).length;
    const wall = (xs: { wall: number }[]) => median(xs.map((x) => x.wall));
    const cpu = (xs: { cpu: number }[]) => median(xs.map((x) => x.cpu));
    const row = {
      file, style, plain: wall(plain), debugged: wall(debugged), ratio: wall(debugged) / wall(plain),
      plainCpu: cpu(plain), debuggedCpu: cpu(debugged), cpuRatio: cpu(debugged) / cpu(plain), calls: report.gradientCallCount, probed,
    };
    rows.push(row);
    console.error(`${file}: ${row.plain.toFixed(2)} s → ${row.debugged.toFixed(2)} s, ratio ${row.ratio.toFixed(3)}; CPU ratio ${row.cpuRatio.toFixed(3)} (${probed} of ${row.calls} calls probed)`);
  }
  const loadAfter = loadavg()[0];
  const ratios = rows.map((r) => r.ratio);
  const med = median(ratios);
  const worst = Math.max(...ratios);
  const cpuRatios = rows.map((r) => r.cpuRatio);
  const met = (x: number, t: number) => `${x.toFixed(3)} (target ≤ ${t}: ${x <= t ? 'met' : 'not met'})`;
  const markdown = [
    'Whole process, as a user runs it: `node script.js` against `tfjs-debug run script.js --quiet` at the defaults (the',
    'runner process, the instrumentation, probes within their 3% budget, the report), same tfjs and backend (the',
    `project's own tfjs, cpu). Plain and debugged runs alternate; medians of ${rounds} runs each. The scripts are in bench/scripts.`,
    'CPU: user + system seconds of the whole process tree (GNU time; the CLI and the runner under the debugger). The',
    `machine's 1-minute load average was ${loadBefore.toFixed(1)} when the part started and ${loadAfter.toFixed(1)} when it ended`,
    '(2 cores): above 2, other jobs shared the cores, and the wall times carry their load.',
    '',
    '| script | style | plain s | debugger s | wall ratio | plain CPU s | debugger CPU s | CPU ratio | gradient calls | probed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.file} | ${r.style} | ${r.plain.toFixed(2)} | ${r.debugged.toFixed(2)} | ${r.ratio.toFixed(3)} | ` +
      `${r.plainCpu.toFixed(2)} | ${r.debuggedCpu.toFixed(2)} | ${r.cpuRatio.toFixed(3)} | ${r.calls} | ${r.probed} |`),
    '',
    `Wall: median ratio ${met(med, TARGET.median)}; worst ${met(worst, TARGET.worst)}.`,
    `CPU: median ratio ${met(median(cpuRatios), TARGET.median)}; worst ${met(Math.max(...cpuRatios), TARGET.worst)}.`,
  ].join('\n');
  return {
    title: 'Whole process on short scripts', markdown,
    summary: `wall median ${med.toFixed(3)}, worst ${worst.toFixed(3)}; CPU median ${median(cpuRatios).toFixed(3)}, worst ${Math.max(...cpuRatios).toFixed(3)}`,
  };
}

if (require.main === module) runAlone(run);
