// Issue 6 (d): runner and extension-host memory, and JSON report size, over 10,000 gradient calls of a small
// model (dense4-bn-dense1, optimizer.minimize, default probes: every call up to the 50th, then every 10th).
//
// The real runner (dist/runner.js) is launched through launchRunner, as the extension's RunController does,
// on a script written to test-results/bench/ (inside the repo, so it uses the project's own tfjs and its cpu
// backend, like test/fixtures/scripts/soak.js). The script prints its own heap, external memory and RSS after
// a real GC at each checkpoint. This process plays the extension host: every event is folded into the run's
// LiveReport (made by the RunStore, as RunController does), and the panel's 50 ms update (what changed since the
// last one) is serialized as postMessage would; its heap is read after a GC at the same checkpoints, with the
// size of the JSON report the host would export or hand to the panel.
//
//   node --import tsx bench/memory.ts [--quick]      (after npm run build)
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol/runOptions.ts';
import { launchRunner } from '../src/host/launch.ts';
import { RunStore, LAST_RUN_KEY } from '../src/extension/logic/runStore.ts';
import { Throttle } from '../src/extension/logic/throttle.ts';
import { runAlone } from './section.ts';

const ROOT = path.resolve(__dirname, '..');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SCRIPT = `// Written by bench/memory.ts: small gradient calls; prints memory after a GC at each checkpoint.
const tf = require('@tensorflow/tfjs');
require('v8').setFlagsFromString('--expose-gc');
const gc = require('vm').runInNewContext('gc');
const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [4] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });
const x = tf.randomNormal([8, 4]);
const y = tf.randomNormal([8, 1]);
const optimizer = tf.train.sgd(0.01);
const calls = Number(process.argv[2]);
const checkpoints = new Set(process.argv[3].split(',').map(Number));
for (let i = 1; i <= calls; i++) {
  optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true })));
  if (checkpoints.has(i)) {
    gc();
    const m = process.memoryUsage();
    console.log('MEM ' + i + ' ' + m.heapUsed + ' ' + m.external + ' ' + m.rss + ' ' + tf.memory().numTensors);
  }
}
`;

interface RunnerMem { heap: number; external: number; rss: number; tensors: number }
interface HostMem { heap: number; reportBytes: number; events: number }

const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const kb = (b: number) => (b / 1024).toFixed(1);
const signedMb = (b: number) => `${b >= 0 ? '+' : '−'}${mb(Math.abs(b))}`;

function hostHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function run(opts: { quick: boolean }): Promise<{ title: string; markdown: string; summary: string }> {
  if (!existsSync(path.join(ROOT, 'dist', 'runner.js'))) throw new Error('dist/runner.js is missing: run npm run build');
  const calls = opts.quick ? 3000 : 10_000;
  const checkpoints = opts.quick ? [1000, 2000, 3000] : [1000, 5000, 10_000];
  const dir = path.join(ROOT, 'test-results', 'bench');
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'memory-soak.js');
  writeFileSync(script, SCRIPT);

  // The host side, as the extension holds it: the store (with a Memento stand-in that keeps the persisted
  // report's size) and the panel's batcher posting serialized batches.
  let storedBytes = 0;
  const store = new RunStore({ get: () => undefined, update: (key, value) => { if (key === LAST_RUN_KEY) storedBytes = Buffer.byteLength(JSON.stringify(value)); return Promise.resolve(); } });
  let posted = 0;
  let postedBytes = 0;
  let postedVersion = 0;

  const host0 = hostHeap();
  const entry = store.start({ kind: 'script', target: script, args: [String(calls), checkpoints.join(',')], cwd: ROOT }, DEFAULT_RUN_OPTIONS);
  const live = entry.live!;
  const updates = new Throttle(() => {
    const update = live.changesSince(postedVersion);
    postedVersion = update.to;
    posted++;
    postedBytes += Buffer.byteLength(JSON.stringify({ type: 'update', update }));
  }, 50);
  let events = 0;
  let gradientEvents = 0;
  const host: Record<number, HostMem> = {};
  let output = '';
  const started = Date.now();
  const handle = launchRunner({
    script, args: [String(calls), checkpoints.join(',')], cwd: ROOT, stdio: 'pipe', distDir: path.join(ROOT, 'dist'),
    live,
    onOutput: (chunk) => { output += chunk; },
    onEvent: (e) => {
      events++;
      updates.request();
      if (e.type !== 'gradient-call') return;
      gradientEvents++;
      if (checkpoints.includes(e.call.index)) {
        const report = entry.report();
        host[e.call.index] = { heap: hostHeap(), reportBytes: Buffer.byteLength(JSON.stringify(report, null, 2)), events: gradientEvents };
      }
    },
  });
  const { report } = await handle.done;
  updates.flush();
  const seconds = (Date.now() - started) / 1000;
  await store.finish(entry.id, report);
  const hostEnd = hostHeap();
  updates.dispose();
  if (report.status !== 'completed') throw new Error(`the run ${report.status}: ${report.error?.message ?? ''}\n${output.slice(-2000)}`);

  const runner: Record<number, RunnerMem> = {};
  for (const m of output.matchAll(/MEM (\d+) (\d+) (\d+) (\d+) (\d+)/g)) {
    runner[Number(m[1])] = { heap: Number(m[2]), external: Number(m[3]), rss: Number(m[4]), tensors: Number(m[5]) };
  }
  for (const c of checkpoints) {
    if (!runner[c] || !host[c]) throw new Error(`no reading at call ${c}: ${output.slice(-2000)}`);
  }
  const first = checkpoints[0];
  const last = checkpoints[checkpoints.length - 1];
  const finalBytes = Buffer.byteLength(JSON.stringify(report, null, 2));

  const rows = checkpoints.map((c) => {
    const r = runner[c];
    const h = host[c];
    return `| ${c.toLocaleString('en-US')} | ${mb(r.heap)} | ${mb(r.external)} | ${mb(r.rss)} | ${r.tensors} | ${signedMb(h.heap - host0)} | ${kb(h.reportBytes)} | ${h.events.toLocaleString('en-US')} |`;
  });
  const runnerGrowth = runner[last].heap - runner[first].heap;
  const rssGrowth = runner[last].rss - runner[first].rss;
  const hostGrowth = host[last].heap - host[first].heap;
  const markdown = [
    `The real runner (dist/runner.js, launched through launchRunner as the extension does) runs ${calls.toLocaleString('en-US')} gradient calls of a small model ` +
    '(dense4-bn-dense1, batch 8, `optimizer.minimize`, cpu backend) with the default options (probes on every call up to the 50th, then every 10th; ' +
    `history ${DEFAULT_RUN_OPTIONS.historySize} calls). The runner prints its own memory after a forced GC at each checkpoint. ` +
    'This process plays the extension host: every event is folded once into the run\'s LiveReport, and the panel\'s 50 ms update (what changed since the last one) is serialized as postMessage would; ' +
    'its heap is read after a forced GC at the same checkpoints, relative to before the run, together with the size of the JSON report (pretty-printed, as exported) at that point.',
    '',
    '| gradient calls | runner heap MB | runner external MB | runner RSS MB | live tensors | host heap vs start MB | JSON report KB | events delivered |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `From call ${first.toLocaleString('en-US')} to ${last.toLocaleString('en-US')}: runner heap ${signedMb(runnerGrowth)} MB, runner RSS ${signedMb(rssGrowth)} MB, host heap ${signedMb(hostGrowth)} MB. ` +
    `Run time ${seconds.toFixed(1)} s. All ${gradientEvents.toLocaleString('en-US')} gradient-call events (${events.toLocaleString('en-US')} events in all) reached the host, ` +
    `in ${posted.toLocaleString('en-US')} panel updates (${mb(postedBytes)} MB serialized). The final report keeps ${report.gradientCalls.length} calls in full ` +
    `(${report.gradientCallsDropped.toLocaleString('en-US')} dropped from the middle, as designed): ${kb(finalBytes)} KB as JSON; the copy persisted in workspace state is ${kb(storedBytes)} KB. ` +
    `Host heap after the run finished: ${signedMb(hostEnd - host0)} MB vs before it.`,
  ].join('\n');
  const summary = `memory: ${calls} calls in ${seconds.toFixed(1)} s; runner heap ${mb(runner[first].heap)} → ${mb(runner[last].heap)} MB, ` +
    `host heap ${signedMb(hostGrowth)} MB from call ${first} to ${last}; report ${kb(host[first].reportBytes)} → ${kb(host[last].reportBytes)} KB; ${gradientEvents}/${calls} events`;
  return { title: 'Memory and report size over a long run', markdown, summary };
}

if (require.main === module) runAlone(run);
