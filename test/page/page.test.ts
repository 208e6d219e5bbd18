// Training in a web page, in headless Chromium (Debian's chromium, SwiftShader for webgl): the page agent on a
// script-tag page, on a page whose web worker trains, and on a Vite app, against the same model trained by a
// Node script, and the page's own output with and without the agent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunReport } from '../../src/protocol/report.ts';
import { launchPage } from '../../src/host/browser/launchPage.ts';
import { startViteServer, type DevServer } from '../../src/host/browser/viteServer.ts';
import { lineOf, ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';
import { serveFolder, type StaticServer } from '../helpers/staticServer.ts';
import { loadTrainPage } from '../helpers/trainPage.ts';

const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';
const AGENT = path.join(ROOT, 'dist', 'page-agent.js');
const SCRIPT_TAG = path.join(ROOT, 'examples', 'browser', 'script-tag', 'index.html');
const VITE_APP = path.join(ROOT, 'examples', 'browser', 'vite-app');
/** A page is done once it has sent nothing for this long (shaders compile in the first calls on SwiftShader). */
const IDLE_MS = 8000;

async function runPage(target: string, root?: string, inject = true): Promise<{ report: RunReport; output: string }> {
  let output = '';
  const handle = launchPage({
    target, root, browser: BROWSER, headless: true, idleMs: IDLE_MS, agentPath: AGENT, inject,
    onOutput: (text) => { output += text; },
  });
  const { report } = await handle.done;
  return { report, output };
}

const byName = (report: RunReport, prefix: string) => {
  const layer = report.layers.find((l) => l.name.startsWith(prefix));
  assert.ok(layer, `no layer ${prefix} in ${report.layers.map((l) => l.name)}`);
  return layer;
};

const rules = (report: RunReport) => report.findings.map((f) => f.rule).sort();

describe('a page that loads tfjs by a script tag', () => {
  test('webgl: modes, three losses, attribution and findings, at the lines of the page\'s own script', async () => {
    const { report, output } = await runPage(SCRIPT_TAG);
    assert.equal(report.status, 'completed');
    assert.equal(report.tfjs?.backend, 'webgl');
    assert.match(output, /done on webgl: inference loss \d/);
    assert.equal(report.gradientCallCount, 20);
    const trainJs = path.join(path.dirname(SCRIPT_TAG), 'train.js');
    const bn = byName(report, 'batch_normalization');
    assert.deepEqual([bn.source?.file, bn.source?.line], [trainJs, lineOf(trainJs, 'batchNormalization(')]);
    const call = report.gradientCalls[0];
    assert.equal(call.api, 'optimizer.minimize');
    assert.equal(call.source?.file, trainJs);
    assert.equal(call.layers.find((l) => l.layer === bn.id)?.mode, 'training');
    assert.equal(call.layers.find((l) => l.layer === byName(report, 'dropout').id)?.mode, 'training');
    assert.ok(call.probed && call.probeError == null && call.lossBefore != null && call.lossAfter != null, JSON.stringify(call.probeError));
    assert.ok(call.attribution?.length === 2);
    assert.ok(rules(report).includes('loss-gap') && rules(report).includes('dropout-in-gradient'), String(rules(report)));
  });

  test('the page\'s own output is the same with and without the agent (cpu)', async () => {
    const url = `file://${SCRIPT_TAG}?backend=cpu`;
    const plain = await runPage(url, path.dirname(SCRIPT_TAG), false);
    const debugged = await runPage(url, path.dirname(SCRIPT_TAG));
    const done = (s: string) => s.split('\n').find((l) => l.startsWith('done on'));
    assert.match(done(plain.output) ?? '', /^done on cpu: inference loss \d/);
    assert.equal(done(debugged.output), done(plain.output));
    assert.equal(plain.report.gradientCallCount, 0, 'no agent, no events');
    assert.equal(debugged.report.gradientCallCount, 20);
  });
});

describe('a page whose web worker trains (tfjs loaded in the worker by importScripts)', () => {
  // Served over http: Chromium does not let a file:// page start a worker.
  let server: StaticServer;
  const page = () => `${server.url}examples/browser/worker/index.html`;
  const workerJs = path.join(ROOT, 'examples', 'browser', 'worker', 'train-worker.js');
  before(async () => { server = await serveFolder(ROOT); });
  after(async () => { await server?.close(); });

  test('cpu: the worker\'s fit is recorded at its own lines, and its output is the same without the agent', async () => {
    const plain = await runPage(`${page()}?backend=cpu`, ROOT, false);
    const { report, output } = await runPage(`${page()}?backend=cpu`, ROOT);
    const done = (s: string) => s.split('\n').find((l) => l.startsWith('done in a worker'));
    assert.match(done(plain.output) ?? '', /^done in a worker on cpu: inference loss \d/);
    assert.equal(done(output), done(plain.output));
    assert.equal(report.status, 'completed');
    assert.equal(report.target, `${page()}?backend=cpu`, 'the run is the page\'s');
    assert.equal(report.gradientCallCount, 12);
    const bn = byName(report, 'batch_normalization');
    assert.deepEqual([bn.source?.file, bn.source?.line], [workerJs, lineOf(workerJs, 'batchNormalization(')]);
    const call = report.gradientCalls[0];
    assert.deepEqual([call.api, call.source?.file, call.source?.line], ['fit', workerJs, lineOf(workerJs, 'model.fit(')]);
    assert.equal(call.layers.find((l) => l.layer === bn.id)?.mode, 'training');
    assert.ok(call.probed && call.lossBefore != null && call.lossAfter != null && call.lossDuring != null);
    assert.ok(rules(report).includes('loss-gap') && rules(report).includes('dropout-in-gradient'), String(rules(report)));
  });

  test('webgl in the worker (OffscreenCanvas): the same findings, and the cross-backend check', async () => {
    const { report, output } = await runPage(page(), ROOT);
    assert.match(output, /done in a worker on webgl/);
    assert.equal(report.tfjs?.backend, 'webgl');
    assert.ok(rules(report).includes('loss-gap') && rules(report).includes('dropout-in-gradient'), String(rules(report)));
    const check = report.gradientCalls[0].backendCheck;
    assert.ok(check && check.layers > 0 && check.firstDivergent == null, JSON.stringify(check));
  });
});

describe('a Vite app that imports tfjs, against the same model trained by a Node script', () => {
  let server: DevServer;
  let node: RunReport;
  before(async () => {
    server = await startViteServer(VITE_APP);
    const r = runCli(['run', path.join(SCRIPTS, 'page-model.mjs'), '--quiet']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    node = r.report as RunReport;
  });
  after(async () => { await server?.close(); });

  const compare = (page: RunReport, tolerance: number) => {
    assert.equal(page.status, 'completed');
    assert.equal(page.gradientCallCount, node.gradientCallCount);
    const [p, n] = [page.gradientCalls[0], node.gradientCalls[0]];
    assert.equal(p.api, 'fit');
    for (const k of ['lossBefore', 'lossDuring', 'lossAfter'] as const) {
      const [a, b] = [p[k] as number, n[k] as number];
      assert.ok(Math.abs(a - b) <= tolerance * Math.abs(b), `${k}: page ${a}, node ${b}`);
    }
    const modes = (r: RunReport) => r.gradientCalls[0].layers.map((l) => `${r.layers.find((x) => x.id === l.layer)?.className}:${l.mode}`).sort();
    assert.deepEqual(modes(page), modes(node));
    assert.deepEqual(rules(page), rules(node));
    const bn = byName(page, 'batch_normalization');
    const modelJs = path.join(VITE_APP, 'src', 'model.js');
    assert.deepEqual([bn.source?.file, bn.source?.line], [modelJs, lineOf(modelJs, 'batchNormalization(')]);
  };

  test('cpu: the same losses to the last bit, the same modes and findings', async () => {
    const { report, output } = await runPage(`${server.url}?backend=cpu`, server.root);
    assert.match(output, /done on cpu/);
    compare(report, 0);
  });

  test('the plugin alone (a browser the debugger did not open) changes nothing: no agent, the same output', async () => {
    const plain = await runPage(`${server.url}?backend=cpu`, server.root, false);
    const debugged = await runPage(`${server.url}?backend=cpu`, server.root);
    const done = (s: string) => s.split('\n').find((l) => l.startsWith('done on'));
    assert.match(done(plain.output) ?? '', /^done on cpu: inference loss \d/);
    assert.equal(done(debugged.output), done(plain.output));
    assert.equal(plain.report.status, 'failed', 'no agent: the run says tfjs was never shown to the debugger');
    assert.equal(plain.report.gradientCallCount, 0);
  });

  test('a module worker that imports tfjs itself (?worker, cpu): the worker\'s training is recorded, not the page\'s idle tfjs', async () => {
    const target = `${server.url}?worker&backend=cpu`;
    const plain = await runPage(target, server.root, false);
    const { report, output } = await runPage(target, server.root);
    const done = (s: string) => s.split('\n').find((l) => l.startsWith('done in a worker'));
    assert.match(done(plain.output) ?? '', /^done in a worker on cpu: inference loss \d/);
    assert.equal(done(output), done(plain.output));
    // The page attached its tfjs first (main.js imports it); the worker's is the one that trained.
    assert.equal(report.tfjs?.backend, 'cpu');
    assert.deepEqual(report.logs.filter((l) => /second tfjs/.test(l)), []);
    compare(report, 0);
  });

  test('webgl: the same modes and findings, losses within 1e-3 relative', async () => {
    const { report, output } = await runPage(server.url, server.root);
    assert.match(output, /done on webgl/);
    assert.equal(report.tfjs?.backend, 'webgl');
    compare(report, 1e-3);
  });
});

test('a training loop that never yields for longer than the idle wait is still training: every call is recorded', async () => {
  // Its calls' records wait for their values until the loop ends (12 s); the count of calls started goes out
  // meanwhile. The wait (6 s) is longer than the first call, which compiles the page's shaders (2.5 s here).
  const file = path.join(ROOT, 'test', 'fixtures', 'pages', 'busy-loop.html');
  let output = '';
  const { report } = await launchPage({
    target: file, browser: BROWSER, headless: true, idleMs: 6000, agentPath: AGENT, onOutput: (text) => { output += text; },
  }).done;
  const steps = Number(/busy loop done: (\d+) steps/.exec(output)?.[1]);
  assert.ok(steps > 1, output);
  assert.equal(report.status, 'completed');
  assert.equal(report.gradientCallCount, steps);
  assert.equal(report.gradientCalls.at(-1)?.index, steps, 'the last record too');
  assert.equal(report.tfjs?.backend, 'webgl');
});

describe('the cross-backend check on a page whose webgl Relu is 5% off', () => {
  const diverges = (report: RunReport) => {
    const relu = report.layers.filter((l) => l.className === 'Dense')[1];
    const check = report.gradientCalls[0].backendCheck;
    assert.ok(check?.firstDivergent, JSON.stringify(check));
    assert.equal(check.firstDivergent.layer, relu?.id, `the dense layer with the relu: ${JSON.stringify(check)}`);
    assert.ok(Math.abs(check.firstDivergent.error - 0.05) < 0.01, `error ${check.firstDivergent.error}`);
    assert.ok(rules(report).includes('backend-divergence'), String(rules(report)));
  };

  const fixtures = path.join(ROOT, 'test', 'fixtures', 'pages');
  const cpuKernelCalls = (output: string) => Number(/the page's cpu kernels ran (\d+) times/.exec(output)?.[1]);

  test('a large pass runs in the debugger\'s worker: the page\'s thread runs none of the cpu kernels', async () => {
    const { report, output } = await runPage(`file://${fixtures}/diverging-relu.html?rows=4096`, fixtures);
    assert.equal(cpuKernelCalls(output), 0, output);
    diverges(report);
  });

  test('a small pass runs on the page\'s thread, with no worker started: the same finding', async () => {
    const { report, output } = await runPage(`file://${fixtures}/diverging-relu.html`, fixtures);
    assert.ok(cpuKernelCalls(output) > 0, output);
    diverges(report);
  });

  test('a page whose Content-Security-Policy forbids workers: a large pass runs on the page\'s thread, with the same finding', async () => {
    const { report, output } = await runPage(`file://${fixtures}/diverging-relu-csp.html?rows=4096`, fixtures);
    assert.ok(cpuKernelCalls(output) > 0, output);
    diverges(report);
  });
});

describe('a gradient call longer than the idle wait', () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'pages', 'long-call.html');
  const run = async (target: string, timeoutMs?: number) => {
    let output = '';
    const { report } = await launchPage({
      target, browser: BROWSER, headless: true, idleMs: 1000, timeoutMs, agentPath: AGENT, onOutput: (text) => { output += text; },
    }).done;
    return { report, output };
  };

  test('the run waits for the page to yield: every call is recorded', async () => {
    const { report, output } = await run(file);
    assert.match(output, /long call done: 3 steps/);
    assert.match(output, /the page has sent nothing for 1 s, but it is still running its own code; the run waits until it yields/);
    assert.equal(report.status, 'completed');
    assert.deepEqual(report.gradientCalls.map((c) => c.index), [1, 2, 3]);
  });

  test('a page that then never yields runs until the timeout, with what it recorded', async () => {
    const { report, output } = await run(`${file}?hang`, 8000);
    assert.match(output, /long call done: 3 steps/);
    assert.equal(report.status, 'timed-out');
    assert.deepEqual(report.gradientCalls.map((c) => c.index), [1, 2, 3]);
  });

  test('before anything trains, a worker busy preparing its data keeps the run going, though the page is idle', async () => {
    const server = await serveFolder(ROOT);
    try {
      const { report, output } = await run(`${server.url}test/fixtures/pages/slow-worker-prep.html`);
      assert.match(output, /slow worker done: 2 steps/);
      assert.equal(report.status, 'completed', JSON.stringify(report.error));
      assert.deepEqual(report.gradientCalls.map((c) => c.index), [1, 2]);
    } finally {
      await server.close();
    }
  });
});

describe('webgl shader programs', () => {
  /** The bench page's program cache after each of its steps, plainly or with the agent. */
  const programsPerStep = async (inject: boolean): Promise<number[]> =>
    (await loadTrainPage({ backend: 'webgl', steps: 6, batch: 4, inject })).output.programs;

  test('the agent compiles its own programs in the first call, and none after it (a frame later would be the agent\'s)', async () => {
    const plain = await programsPerStep(false);
    const debugged = await programsPerStep(true);
    assert.equal(debugged.length, 6);
    // Each later step compiles no more than the plain page's does. (It may compile fewer: the first call's pass
    // after the optimizer step, at step 0, compiles a program the plain page first needs at step 1.)
    const compiledIn = (p: number[], step: number) => p[step] - p[step - 1];
    for (let step = 1; step < 6; step++) {
      assert.ok(compiledIn(debugged, step) <= compiledIn(plain, step), `step ${step}: plain ${plain}, with the agent ${debugged}`);
    }
    // Statistics of small outputs are reduced in JavaScript, and probe-only values are read each alone with a
    // decode that takes its shape as a uniform (readback.ts): 18 programs of the agent's own for this model,
    // against 104 when every statistic was reduced on the device and 29 when the reads went through a concat.
    assert.ok(debugged[0] - plain[0] <= 24, `the agent's programs at step 0: ${debugged[0] - plain[0]}`);
  });
});
