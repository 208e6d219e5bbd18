// Issue 6 (e): the panel's first paint and per-update frame time with 500 layers and 10,000 gradient calls,
// in headless Chromium (Debian's chromium through playwright-core).
//
// The built panel (dist/webview.js) is loaded by test/webview/harness.ts in its VS Code-like page (CSP, nonce,
// stub acquireVsCodeApi). The report is synthetic but typed by src/protocol/report.ts: 500 layers (every 5th a
// BatchNormalization with 16 channels, every 25th a Dropout), a run still going at gradient call 10,000, with
// the default bounded history the host would hold and post (first 50 and last 950 calls, the newest 40 of them
// with all 500 layer records and the rest thinned by the detail budget; probed calls every 10th past the 50th,
// as the runner does). It is posted the way DebuggerPanel does: one `report` snapshot, then `update` messages
// of one live gradient call each (what changed since the last version: the new call, the call the detail budget
// thinned, every layer's totals) at 20 a second.
//
// Timing is in the page. The bench wraps, in the page, the app element's update (the store published a report)
// and the loss chart's canvas clear (uPlot starts a draw): the shipped bundle has no hooks of its own. From each
// such point a MessageChannel task is queued, which runs once that frame's rendering is done, so each update's
// frame is timed from its start to its end. A rAF loop also records every frame interval while the batches
// stream.
//
//   node --import tsx bench/webview.ts [--quick]      (after npm run build)
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { GradientCallRecord, LayerCallRecord, LayerInfo, RunReport } from '../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol/runOptions.ts';
import type { ReportUpdate } from '../src/protocol/webviewMessages.ts';
import { DETAIL_BUDGET, indexRanges } from '../src/model/reportBuilder.ts';
import { launchChromium, openPanel, vscodeStub } from '../test/webview/harness.ts';
import { THEMES } from '../test/webview/themes.ts';
import { runAlone } from './section.ts';

const ROOT = path.resolve(__dirname, '..');
const LAYERS = 500;
const CALLS = 10_000;
const CHANNELS = 16;
const TARGET = '/workspace/train-deep.js';

interface SynthParams {
  layers: number;
  calls: number;
  channels: number;
  batches: number;
  seed: number;
  probeAllFirst: number;
  probeEvery: number;
  historySize: number;
  /** Layer and weight records kept in full (src/model/reportBuilder.ts DETAIL_BUDGET). */
  detailBudget: number;
  startedAt: string;
  target: string;
}

/** The snapshot the host holds at call `calls` (what DebuggerPanel posts first, at version 1) and the live
 *  updates after it.
 *  Self-contained (no outside names), so that it can also run in the page: generating 200 MB there is far
 *  faster than sending it through the DevTools protocol. */
export function synthesize(p: SynthParams): { report: RunReport; batches: ReportUpdate[] } {
  let s = p.seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const classOf = (id: number) => (id % 25 === 0 ? 'Dropout' : id % 5 === 0 ? 'BatchNormalization' : id % 5 === 1 ? 'Dense' : id % 5 === 2 ? 'ReLU' : 'Conv2D');
  const weighted = (c: string) => c === 'Dense' || c === 'Conv2D' || c === 'BatchNormalization';
  const layers: LayerInfo[] = Array.from({ length: p.layers }, (_, i) => {
    const id = i + 1;
    const className = classOf(id);
    return {
      id, name: `${className.toLowerCase()}_${className}${id}`, className, trainable: weighted(className),
      source: { file: p.target, line: 10 + id, column: 5 }, parents: [], isContainer: false, outsideCalls: { training: 0, inference: 2 },
    };
  });
  const v = () => Math.fround(random() * 2 - 1);
  const pos = () => Math.fround(1 + random());
  const call = (index: number): GradientCallRecord => {
    const probed = index <= p.probeAllFirst || index % p.probeEvery === 0;
    const base = 2 * Math.exp(-index / 4000) + 0.1;
    const records: LayerCallRecord[] = layers.map((l) => ({
      layer: l.id, mode: 'training', calls: 1, trainable: l.trainable,
      output: probed ? { mean: v(), std: Math.fround(random() + 0.5), min: Math.fround(-3 + random()), max: Math.fround(3 - random()), nanCount: 0, infCount: 0 } : null,
      nonFinite: 0,
      batchNorm: l.className === 'BatchNormalization' ? {
        movingMeanBefore: Array.from({ length: p.channels }, v), movingMeanAfter: Array.from({ length: p.channels }, v),
        movingVarianceBefore: Array.from({ length: p.channels }, pos), movingVarianceAfter: Array.from({ length: p.channels }, pos),
        batchMean: Array.from({ length: p.channels }, v), batchVariance: Array.from({ length: p.channels }, pos),
        momentum: 0.99, epsilon: 0.001,
      } : null,
      gradNorm: probed && weighted(l.className) ? Math.fround(random() * 3) : null,
    }));
    const attributed = probed && index % 100 === 0;
    return {
      index, api: 'fit', source: { file: p.target, line: 620, column: 9 },
      lossBefore: probed ? base : null, lossDuring: base * (1.02 + 0.01 * random()), lossAfter: probed ? base * 1.001 : null,
      lossAfterStep: probed ? base * 0.999 : null, probed, probeError: null, layers: records,
      weights: [], attribution: attributed ? [{ layer: 5, deltaLoss: base * 0.015, share: 0.75 }, { layer: 10, deltaLoss: base * 0.005, share: 0.25 }] : null,
      unexplained: attributed ? 0 : null, numTensors: 2000, durationMs: 120,
    };
  };
  // The bounded history: the first `head` calls and the most recent ones (src/model/history.ts).
  const head = Math.min(50, Math.floor(p.historySize / 2));
  const tail = p.historySize - head;
  const kept = [...Array.from({ length: head }, (_, i) => i + 1), ...Array.from({ length: tail }, (_, i) => p.calls - tail + 1 + i)];
  // Calls past the detail budget, oldest first, are thinned: losses kept, layer records dropped.
  const calls = kept.map(call);
  let weight = 0;
  for (let i = calls.length - 1; i >= 0; i--) {
    weight += calls[i].layers.length + calls[i].weights.length;
    if (weight > p.detailBudget && i < calls.length - 1) calls[i] = { ...calls[i], layers: [], weights: [], thinned: true };
  }
  const report: RunReport = {
    schemaVersion: 1, target: p.target, args: [], status: 'running', error: null,
    tfjs: { version: '4.22.0', backend: 'wasm', source: 'bundled', path: '/bundled/tfjs-core' },
    options: { probeAllFirst: p.probeAllFirst, probeEvery: p.probeEvery, historySize: p.historySize, lossGapTolerance: 1e-4, attribution: 'auto' },
    startedAt: p.startedAt, durationMs: null, exitCode: null,
    layers, gradientCallCount: p.calls, gradientCallsDropped: p.calls - kept.length,
    gradientCalls: calls, findings: [], memory: null, logs: [],
    layerTotals: layers.map((l) => ({ layer: l.id, training: p.calls, inference: 0, mixed: 0, nonFinite: 0 })),
  };
  // Each update: one new call; the oldest call of the ring dropped; the oldest call in full thinned when the
  // records in full outweigh the budget; every layer's totals (each call counts every layer).
  const records = calls.slice();
  const full = (c: GradientCallRecord) => !c.thinned && c.layers.length > 0;
  const batches: ReportUpdate[] = [];
  let dropped = report.gradientCallsDropped;
  for (let i = 0; i < p.batches; i++) {
    const index = p.calls + 1 + i;
    const changed = [call(index)];
    records.splice(head, 1);
    dropped++;
    records.push(changed[0]);
    let weight = records.filter(full).reduce((w, c) => w + c.layers.length + c.weights.length, 0);
    for (let k = 0; weight > p.detailBudget && k < records.length - 1; k++) {
      if (!full(records[k])) continue;
      weight -= records[k].layers.length + records[k].weights.length;
      records[k] = { ...records[k], layers: [], weights: [], thinned: true };
      changed.push(records[k]);
    }
    const { layers: _l, gradientCalls: _c, layerTotals: _t, findings: _f, logs: _g, ...header } = report;
    batches.push({
      from: i + 1, to: i + 2, header: { ...header, gradientCallCount: index, gradientCallsDropped: dropped }, layers: [],
      callRanges: indexRanges(records.map((c) => c.index)), calls: changed,
      layerTotals: layers.map((l) => ({ layer: l.id, training: index, inference: 0, mixed: 0, nonFinite: 0 })), findings: [], logs: [],
    });
  }
  return { report, batches };
}

interface PageResult {
  firstPaint: { received: number; chartDrawn: number; painted: number; rows: number; rendered: number; canvases: number };
  publishFrames: number[];
  chartFrames: number[];
  latencies: number[];
  intervals: number[];
  saves: number[];
  posted: number;
  streamMs: number;
  finalCount: string;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

async function measure(browser: Browser, params: SynthParams): Promise<PageResult & { bytes: number }> {
  // The harness's stub keeps setState in sessionStorage, whose quota a report this size exceeds; VS Code
  // serializes the state and sends it to the host, so the stand-in serializes it and keeps nothing.
  const stub = vscodeStub(THEMES.dark);
  const stored = "setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); t.setStateCalls++; return s; },";
  if (!stub.includes(stored)) throw new Error('test/webview/harness.ts changed its setState stub; update bench/webview.ts');
  const panel = await openPanel(browser, { stub: stub.replace(stored, 'setState: (s) => { const a = performance.now(); t.lastStateChars = JSON.stringify(s).length; (t.saveMs = t.saveMs || []).push(performance.now() - a); t.setStateCalls++; return s; },') });
  try {
    const { page } = panel;
    await page.waitForFunction(() => ((window as any).__tfd?.posted ?? []).some((m: { type: string }) => m.type === 'ready'));
    // The data is generated in the page, outside any timing. tsx's transform may wrap named functions in
    // __name(), which the page does not have: give it one.
    const t = performance.now();
    const bytes = await page.evaluate(`(() => {
      window.__name = window.__name || ((f) => f);
      const d = (${synthesize.toString()})(${JSON.stringify(params)});
      window.__bench_report = d.report;
      window.__bench_batches = d.batches;
      return JSON.stringify(d.report).length;
    })()`) as number;
    console.error(`webview bench: ${(bytes / 2 ** 20).toFixed(1)} MB report generated in the page in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // Everything below runs in the page. Plain JS in a string: the function body must not pass through
    // the TypeScript transform (its helpers do not exist in the page).
    const result = await page.evaluate(`(async () => {
      const w = window;
      const points = [];
      const frameEnd = (rec) => { const ch = new MessageChannel(); ch.port1.onmessage = () => { rec.end = performance.now(); ch.port1.close(); }; ch.port2.postMessage(0); };
      const mark = (point) => { const rec = { point, start: performance.now(), end: NaN }; points.push(rec); frameEnd(rec); };
      // The bundle has no timing hooks: the app's update follows each publish of the store, and uPlot clears the
      // whole canvas as each draw starts.
      const app = customElements.get('tfd-app').prototype;
      const update = app.update;
      app.update = function (...args) { mark('publish'); return update.apply(this, args); };
      const clearRect = CanvasRenderingContext2D.prototype.clearRect;
      CanvasRenderingContext2D.prototype.clearRect = function (...args) {
        if (args[0] === 0 && args[1] === 0 && this.canvas.closest('#loss-chart')) mark('chart-draw');
        return clearRect.apply(this, args);
      };
      const nextFrameEnd = () => new Promise((r) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(performance.now()); ch.port2.postMessage(0); }));
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

      // ---- first paint: the snapshot ----
      const t0 = performance.now();
      w.postMessage({ type: 'report', report: w.__bench_report, version: 1 }, '*');
      const deadline = t0 + 60000;
      let drawn = null;
      while (!drawn && performance.now() < deadline) {
        await nextFrameEnd();
        drawn = points.find((p) => p.point === 'chart-draw' && Number.isFinite(p.end) && document.querySelector('#loss-chart canvas'));
      }
      if (!drawn) throw new Error('the loss chart never drew');
      const received = points.find((p) => p.point === 'publish');
      const firstPaint = {
        received: received.start - t0, chartDrawn: drawn.start - t0, painted: drawn.end - t0,
        rows: Number(document.querySelector('#layer-table')?.getAttribute('aria-rowcount') ?? 1) - 1,
        rendered: document.querySelectorAll('#layer-table tbody tr[data-layer-id]').length,
        canvases: document.querySelectorAll('canvas').length,
      };
      await sleep(1000);

      // ---- streaming: one update every 50 ms ----
      points.length = 0;
      const intervals = [];
      let last = 0;
      let looping = true;
      const loop = (ts) => { if (last) intervals.push(ts - last); last = ts; if (looping) requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
      const batches = w.__bench_batches;
      const posts = [];
      const s0 = performance.now();
      for (let i = 0; i < batches.length; i++) {
        const due = s0 + i * 50;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        posts.push(performance.now());
        w.postMessage({ type: 'update', update: batches[i] }, '*');
      }
      const streamMs = performance.now() - s0;
      // Until the last batch is on screen: a chart frame after a publish after the last post (60 s at most).
      const lastPost = posts[posts.length - 1];
      const shown = () => { const pub = points.find((p) => p.point === 'publish' && p.start >= lastPost); return pub && points.some((p) => p.point === 'chart-draw' && p.start >= pub.start && Number.isFinite(p.end)); };
      for (const end = performance.now() + 60000; !shown() && performance.now() < end;) await sleep(100);
      await sleep(200);
      looping = false;
      const done = points.filter((p) => Number.isFinite(p.end));
      const publishFrames = done.filter((p) => p.point === 'publish').map((p) => p.end - p.start);
      const chartFrames = done.filter((p) => p.point === 'chart-draw').map((p) => p.end - p.start);
      // Latency of a batch: from its post to the end of the first chart frame that started after the first
      // publish that followed the post (the publish folds the batch in; the chart shows it one frame later).
      const latencies = [];
      for (const t of posts) {
        const pub = done.find((p) => p.point === 'publish' && p.start >= t);
        const chart = pub && done.find((p) => p.point === 'chart-draw' && p.start >= pub.start);
        if (chart) latencies.push(chart.end - t);
      }
      const header = document.querySelector('#run-header');
      const saves = (w.__tfd.saveMs || []).slice();
      return { saves, firstPaint, publishFrames, chartFrames, latencies, intervals, posted: batches.length, streamMs,
        finalCount: header ? (header.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 200) : '' };
    })()`) as PageResult;
    return { ...result, bytes };
  } finally {
    if (panel.problems.errors.length) console.error(`webview bench: page errors: ${panel.problems.errors.slice(0, 5).join(' | ')}`);
    await panel.close();
  }
}

export async function run(opts: { quick: boolean }): Promise<{ title: string; markdown: string; summary: string }> {
  for (const f of ['dist/webview.js', 'dist/webview.css']) if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build`);
  const params: SynthParams = {
    layers: LAYERS, calls: CALLS, channels: CHANNELS, batches: opts.quick ? 20 : 40, seed: 6,
    probeAllFirst: DEFAULT_RUN_OPTIONS.probeAllFirst, probeEvery: DEFAULT_RUN_OPTIONS.probeEvery, historySize: DEFAULT_RUN_OPTIONS.historySize,
    detailBudget: DETAIL_BUDGET, startedAt: new Date(Date.now() - 20 * 60_000).toISOString(), target: TARGET,
  };
  const browser = await launchChromium();
  const version = browser.version();
  let r: PageResult & { bytes: number };
  try {
    r = await measure(browser, params);
  } finally {
    await browser.close();
  }
  if (r.firstPaint.rows !== LAYERS) throw new Error(`the table shows ${r.firstPaint.rows} rows, not ${LAYERS}`);

  const stat = (xs: number[]) => `${f1(quantile(xs, 0.5))} | ${f1(quantile(xs, 0.95))} | ${f1(Math.max(...xs))} | ${xs.length}`;
  const over = (xs: number[], ms: number) => xs.filter((x) => x > ms).length;
  const rate = (r.posted / (r.streamMs / 1000)).toFixed(1);
  const mb = (r.bytes / 2 ** 20).toFixed(1);
  const markdown = [
    `The built panel (dist/webview.js) in headless Chromium ${version} (software rendering, 1200×900), loaded by test/webview/harness.ts. ` +
    `Synthetic report typed by src/protocol/report.ts: ${LAYERS} layers (every 5th a BatchNormalization with ${CHANNELS} channels), a run in progress at gradient call ` +
    `${CALLS.toLocaleString('en-US')} with the default bounded history the host posts (${params.historySize} calls; the newest ${Math.floor(params.detailBudget / LAYERS)} with all ${LAYERS} layer records, ` +
    `the older ones thinned to their losses by the detail budget of ${params.detailBudget.toLocaleString('en-US')} records; ` +
    `${mb} MB of JSON). Posted as DebuggerPanel does: one \`report\` snapshot, then ${r.posted} \`update\` messages of one gradient call each at ${rate} a second. ` +
    'Frames are timed in the page from the app\'s update after a publish (or the chart\'s draw) to a task queued then, which runs once that frame is rendered (hooks the bench wraps around the page\'s own code); ' +
    'a requestAnimationFrame loop records every frame interval while the batches stream. A frame\'s end task also waits for tasks queued before it, such as a state save, ' +
    'so the slowest update frames include the save shown in the last row. Host-side serialization and VS Code\'s IPC are not included.',
    '',
    '| measure | median ms | p95 ms | max ms | n |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| first paint: snapshot posted → table (${r.firstPaint.rows} rows, ${r.firstPaint.rendered} of them in the DOM) and loss chart rendered | ${f1(r.firstPaint.painted)} | | | 1 |`,
    `| ↳ of which: message received and store updated | ${f1(r.firstPaint.received)} | | | 1 |`,
    `| ↳ of which: until the chart starts drawing | ${f1(r.firstPaint.chartDrawn)} | | | 1 |`,
    `| update frame: publish (update applied, table and header render) | ${stat(r.publishFrames)} |`,
    `| update frame: loss chart redraw (downsampled) | ${stat(r.chartFrames)} |`,
    `| update latency: batch posted → chart frame rendered | ${stat(r.latencies)} |`,
    `| frame interval while streaming (rAF) | ${stat(r.intervals)} |`,
    `| state save (setState: JSON of the whole report, at most every 5 s while running) | ${r.saves.length ? stat(r.saves) : '— | — | — | 0'} |`,
    '',
    `${over(r.intervals, 50)} of ${r.intervals.length} frames while streaming took over 50 ms (${over(r.intervals, 100)} over 100 ms); ` +
    `updates published: ${r.publishFrames.length} for ${r.posted} batches (the store coalesces to at most one per frame and ~20 a second).`,
  ].join('\n');
  const summary = `webview: first paint ${f1(r.firstPaint.painted)} ms (${LAYERS} layers, ${CALLS} calls, ${mb} MB); update frame median ${f1(quantile(r.publishFrames, 0.5))} ms ` +
    `p95 ${f1(quantile(r.publishFrames, 0.95))} ms, chart ${f1(quantile(r.chartFrames, 0.5))}/${f1(quantile(r.chartFrames, 0.95))} ms; ` +
    `latency median ${f1(quantile(r.latencies, 0.5))} ms p95 ${f1(quantile(r.latencies, 0.95))} ms`;
  return { title: 'Webview: first paint and update frames', markdown, summary };
}

if (require.main === module) runAlone(run);
