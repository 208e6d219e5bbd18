// A debugger is run on broken programs: each bad script gets its exit code and one clear message naming the
// file (and line where there is one), and the run after it works. Plus a soak: 10,000 gradient calls with
// probes, memory flat, nothing lost that was promised. The results are written to docs/RELIABILITY.md.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { launchRunner } from '../../src/host/launch.ts';
import { lineOf, ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';
import { ReliabilitySection, secondsSince } from '../helpers/reliability.ts';

interface ScriptCase {
  name: string;
  script: string;
  args?: string[];
  code: number;
  message: RegExp;
  /** Text of the line the error must point at, or null when there is no line. */
  line: string | null;
  rule?: string;
  /** A run that ends well: the gradient calls its report must hold. */
  calls?: number;
}

const CASES: ScriptCase[] = [
  { name: 'a syntax error in JS', script: 'syntax-error.js', code: 1, message: /SyntaxError/, line: 'tf.sequential(;' },
  { name: 'a top-level throw', script: 'throws.js', code: 1, message: /the data file is missing/, line: 'throw new Error' },
  { name: 'a throw inside a fit callback', script: 'fit-callback-throws.js', code: 1, message: /logger crashed/, line: "throw new Error('logger crashed')" },
  { name: 'an unhandled rejection in an async function', script: 'rejects.js', code: 1, message: /validation set is empty/, line: "throw new Error('validation set is empty')" },
  { name: 'process.exit(3) mid-run', script: 'exits.js', code: 3, message: /process\.exit\(3\)/, line: 'process.exit(3)' },
  { name: 'process.exit(0) at the end of training', script: 'exits-zero.js', code: 0, message: /./, line: null, calls: 1 },
  { name: 'a synchronous infinite loop (--timeout 2)', script: 'hangs.js', args: ['--timeout', '2'], code: 4, message: /did not finish within 2 s/, line: null },
  { name: 'an endless async loop (--timeout 2)', script: 'async-hang.js', args: ['--timeout', '2'], code: 4, message: /did not finish within 2 s/, line: null },
  { name: 'allocation until out of memory (--memory 64)', script: 'oom.js', args: ['--memory', '64'], code: 1, message: /ran out of memory .*64 MB/, line: null },
  { name: 'a missing npm module', script: 'missing-module.js', code: 1, message: /needs the npm package fast-csv-parser-that-is-not-installed.*npm install/, line: "require('fast-csv" },
  { name: 'a loss closure that returns a non-scalar', script: 'non-scalar-loss.js', code: 1, message: /must return a scalar/, line: 'tf.variableGrads(' },
  { name: 'a loss closure that returns a non-tensor', script: 'not-a-tensor.js', code: 1, message: /must be a tensor/, line: 'optimizer.minimize(' },
  { name: 'a gradient call over no trainable variables', script: 'no-variables.js', code: 1, message: /at least one of the input variables to be trainable/, line: 'tf.variableGrads(' },
  { name: 'NaN in the input data', script: 'nan-input.js', code: 0, message: /./, line: null, rule: 'nan-or-inf' },
];

const scripts = new ReliabilitySection('scripts');
const soak = new ReliabilitySection('soak');

for (const c of CASES) {
  scripts.test(`bad script: ${c.name}`, () => {
    const file = path.join(SCRIPTS, c.script);
    const started = Date.now();
    const r = runCli(['run', file, ...(c.args ?? [])]);
    assert.equal(r.code, c.code, r.stdout + r.stderr);
    if (c.calls != null) {
      assert.equal(r.report?.status, 'completed');
      assert.equal(r.report?.error, null);
      assert.equal(r.report?.gradientCalls.length, c.calls, 'nothing recorded before the exit is lost');
    } else if (c.rule) {
      assert.ok(r.report?.findings.some((f) => f.rule === c.rule && f.severity === 'error'), JSON.stringify(r.report?.findings));
    } else {
      assert.match(r.report?.error?.message ?? '', c.message);
      assert.equal(r.report?.error?.file, file);
      assert.equal(r.report?.error?.line ?? null, c.line ? lineOf(file, c.line) : null);
      assert.match(r.stdout.replace(/\s+/g, ' '), new RegExp(path.basename(c.script).replace('.', '\\.')));
    }
    return {
      tried: 1,
      result: `exit ${r.code}${c.rule ? `, ${c.rule} finding` : c.calls != null ? `, completed with ${r.report?.gradientCalls.length} gradient call recorded` : `, "${r.report?.error?.message.slice(0, 70)}"`}${c.line ? ` at line ${r.report?.error?.line}` : ''} (${secondsSince(started)})`,
      lost: r.report && r.report.status !== 'running' ? 'nothing: report written' : 'the report',
    };
  }, { caseName: c.name });
}

scripts.test('after all of them, the next run works', () => {
  const started = Date.now();
  const r = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js')]);
  assert.equal(r.code, 0);
  assert.equal(r.report?.gradientCalls.length, 1);
  return { tried: 1, result: `exit ${r.code}, ${r.report?.status}, ${r.report?.gradientCalls.length} gradient call, findings: ${r.report?.findings.map((f) => f.rule).join(', ')} (${secondsSince(started)})`, lost: 'nothing: no state carried over from the failed runs' };
}, { caseName: 'the next run after all of the above (examples/batchnorm-mismatch.js)' });

soak.test('soak: 10,000 gradient calls with probes; runner and host memory flat, every event delivered', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const hostHeap = () => { gc(); return process.memoryUsage().heapUsed; };
  const host0 = process.memoryUsage().heapUsed;
  const hostAt: Record<number, number> = {};
  let events = 0;
  let output = '';
  const handle = launchRunner({
    script: path.join(SCRIPTS, 'soak.js'), args: ['10000'], stdio: 'pipe', distDir: path.join(ROOT, 'dist'),
    // No time budget: the schedule is the interval alone, so that the test knows which calls replay.
    options: { probeBudget: 0 },
    onOutput: (chunk) => { output += chunk; },
    onEvent: (e) => {
      if (e.type !== 'gradient-call') return;
      events++;
      if (e.call.index === 1000 || e.call.index === 10_000) hostAt[e.call.index] = hostHeap();
    },
  });
  const started = Date.now();
  const { report } = await handle.done;
  const seconds = (Date.now() - started) / 1000;
  const host1 = process.memoryUsage().heapUsed;
  const heap = Object.fromEntries([...output.matchAll(/HEAP (\d+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  assert.equal(report.status, 'completed', report.error?.message);
  assert.equal(events, 10_000, 'every gradient call event arrived');
  assert.equal(report.gradientCallCount, 10_000);
  assert.equal(report.gradientCalls.length, report.options.historySize, 'history bounded');
  assert.equal(report.gradientCallsDropped, 10_000 - report.options.historySize);
  assert.equal(report.gradientCalls[0].index, 1, 'the first calls are kept');
  assert.equal(report.gradientCalls.at(-1)?.index, 10_000, 'and the most recent');
  // Probes on every call up to the 50th, then on every 10th.
  assert.ok(report.gradientCalls.every((c) => c.probed === (c.index <= 50 || c.index % 10 === 0)));
  const runnerGrowth = heap['10000'] - heap['1000'];
  assert.ok(runnerGrowth < 5 * 2 ** 20, `runner heap grew ${runnerGrowth} bytes from call 1,000 to 10,000`);
  assert.ok(host1 - host0 < 64 * 2 ** 20, `host heap grew ${host1 - host0} bytes`);
  // The host's side (launchRunner's report builder) after a GC: flat from call 1,000 on, as the history is full.
  const hostGrowth = hostAt[10_000] - hostAt[1000];
  assert.ok(hostGrowth < 5 * 2 ** 20, `host heap grew ${hostGrowth} bytes from call 1,000 to 10,000`);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(`soak: ${seconds.toFixed(1)} s, runner heap ${mb(heap['1000'])} at call 1,000 → ${mb(heap['10000'])} at 10,000; host heap ${mb(hostGrowth)} from call 1,000 to 10,000 after GC`);
  return {
    tried: events,
    result: `${seconds.toFixed(1)} s; runner heap ${mb(heap['1000'])} at call 1,000, ${mb(heap['10000'])} at 10,000; host heap (after GC) ${hostGrowth >= 0 ? '+' : ''}${mb(hostGrowth)} from call 1,000 to 10,000; ${report.gradientCalls.length} calls kept`,
    lost: `nothing promised: all ${events} events delivered, ${report.gradientCallsDropped} middle calls dropped from the bounded history as designed`,
  };
}, { caseName: '10,000 gradient calls (BatchNorm model, optimizer.minimize), probes on the interval' });
