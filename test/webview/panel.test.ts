// The panel in headless Chromium: the real bundle (dist/webview.js, dist/webview.css) in a page that mimics a
// VS Code webview (strict CSP with a script nonce, stub acquireVsCodeApi), driven with the event stream the
// runner recorded for examples/batchnorm-mismatch.js. Asserts what a user sees and what the panel posts.
// Also: the standalone HTML report contract, report strings rendered as text, and screenshots in three themes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunReport } from '../../src/protocol/report.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import type { WebviewToHost } from '../../src/protocol/webviewMessages.ts';
import { launchRunner } from '../../src/host/launch.ts';
import { LiveReport } from '../../src/host/liveReport.ts';
import { launchChromium, openPanel, ROOT, standaloneHtml, type Panel } from './harness.ts';
import { THEMES } from './themes.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('panel');

const EXAMPLE = path.join(ROOT, 'examples', 'batchnorm-mismatch.js');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');

let browser: Browser;
const events: RunnerEvent[] = [];
let report: RunReport;
let bnId: number;
let convId: number;

/** How the panel prints a loss: 6 significant digits. */
const six = (x: number) => Number(x.toPrecision(6)).toString();

const row = (id: number) => `#layer-table tbody tr[data-layer-id="${id}"]`;

/** The last message the panel posted, besides 'view' (what is on screen: posted as the page scrolls). */
async function lastPosted(panel: Panel): Promise<WebviewToHost | undefined> {
  return (await panel.posted()).filter((m) => m.type !== 'view').at(-1);
}

/** Waits until the panel has posted `n` messages, then returns them. */
async function postedAtLeast(panel: Panel, n: number): Promise<WebviewToHost[]> {
  await panel.page.waitForFunction((k) => ((window as any).__tfd?.posted?.length ?? 0) >= k, n);
  return panel.posted();
}

async function assertClean(panel: Panel) {
  assert.deepEqual(panel.problems.errors, [], 'console errors');
  assert.deepEqual(panel.problems.dialogs, [], 'dialogs');
  assert.deepEqual(await panel.violations(), [], 'CSP violations');
}

async function text(panel: Panel, selector: string): Promise<string> {
  return (await panel.page.locator(selector).first().textContent())?.replace(/\s+/g, ' ').trim() ?? '';
}

/** A copy of the example's report with hostile strings everywhere the report carries text. */
function hostileReport(): RunReport {
  const r: RunReport = structuredClone(report);
  const bn = r.layers.find((l) => l.id === bnId)!;
  bn.name = '<img src=x onerror=alert(1)>';
  const conv = r.layers.find((l) => l.id === convId)!;
  conv.className = '<svg onload=alert(2)>';
  conv.source = { file: '/tmp/"><img src=x onerror=alert(5)>.js', line: 4, column: 1 };
  r.target = '/tmp/<img src=x onerror=alert(10)>.js';
  r.tfjs = { ...r.tfjs!, version: '<img src=x onerror=alert(9)>' };
  r.status = 'failed';
  r.error = { kind: 'script', message: '<script>alert(6)</script>', file: '/tmp/<b>x</b>.js', line: 3, column: 1, stack: '<img src=x onerror=alert(7)>' };
  r.logs = ['warn: <script>alert(8)</script>'];
  r.findings = r.findings.map((f) => ({
    ...f,
    rule: `${f.rule}"><img src=x onerror=alert(4)>` as typeof f.rule, // a report file can hold anything
    message: `<script>alert(1)</script></script><script>alert(11)</script> ${f.message}`,
    fix: '<img src=x onerror=alert(3)>',
  }));
  return r;
}

async function elementsInjected(panel: Panel): Promise<number> {
  return panel.page.evaluate(() => document.querySelectorAll('tfd-app img, tfd-app script, tfd-app svg, tfd-app iframe, tfd-app b').length);
}

before(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'webview.js')) || !existsSync(path.join(ROOT, 'dist', 'runner.js'))) {
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(b.status, 0, 'build');
  }
  // Record the runner's event stream for the example, as the extension host receives it.
  const [run, chromium] = await Promise.all([
    launchRunner({ script: EXAMPLE, distDir: path.join(ROOT, 'dist'), stdio: 'pipe', onEvent: (e) => events.push(e) }).done,
    launchChromium(),
  ]);
  browser = chromium;
  report = run.report;
  assert.equal(report.status, 'completed', JSON.stringify(report.error));
  bnId = report.layers.find((l) => l.className === 'BatchNormalization')!.id;
  convId = report.layers.find((l) => l.className === 'Conv2D')!.id;
});

after(async () => {
  await browser?.close();
});

describe('panel in a VS Code webview', () => {
  test('posts ready first, then renders the streamed run: modes, losses, findings, buttons', async () => {
    const panel = await openPanel(browser);
    try {
      const first = await postedAtLeast(panel, 1);
      assert.deepEqual(first, [{ type: 'ready' }], 'the first (and only) message before any data is ready');

      // Stream: run-start and the layers first, the rest in batches of two, folded into the run's one report and
      // posted as what changed, as the host does.
      const live = new LiveReport(EXAMPLE, []);
      let version = 0;
      const stream = async (batch: RunnerEvent[]) => {
        for (const e of batch) live.apply(e);
        const update = live.changesSince(version);
        version = update.to;
        await panel.post({ type: 'update', update });
      };
      const split = events.findIndex((e) => e.type === 'gradient-call');
      await stream(events.slice(0, split));
      await panel.page.waitForSelector('#run-status[data-status="running"]');
      await panel.page.waitForSelector('#btn-stop');
      await panel.page.click('#btn-stop');
      assert.deepEqual(await lastPosted(panel), { type: 'command', command: 'stop' });
      for (let i = split; i < events.length; i += 2) await stream(events.slice(i, i + 2));
      await panel.page.waitForSelector('#run-status[data-status="completed"]');
      assert.equal(await panel.page.locator('#btn-stop').count(), 0, 'no Stop once the run ended');

      // Header: the target's file name, with the full path as title.
      assert.equal(await text(panel, '#run-header .target'), 'batchnorm-mismatch.js');
      assert.equal(await panel.page.getAttribute('#run-header .target', 'title'), EXAMPLE);
      assert.match(await text(panel, '#run-tfjs'), /^tfjs 4\.\d+\.\d+ · cpu backend/);
      assert.equal(await text(panel, '#run-calls'), '1 probed of 1 gradient call');

      // BatchNorm ran in training mode inside the gradient call, in inference mode outside it (predict ×2).
      const bn = row(bnId);
      assert.equal(await panel.page.getAttribute(`${bn} td.col-modeInside .mode-badge`, 'data-mode'), 'training');
      assert.equal(await panel.page.getAttribute(`${bn} td.col-modeOutside .mode-badge`, 'data-mode'), 'inference');
      assert.equal(await text(panel, `${bn} td.col-modeOutside`), 'inference ×2');
      assert.match(await text(panel, `${bn} td.col-drift`), /^\d\.\d+σ$/);

      // The three losses, with the report's values: 6 significant digits shown, the exact value as title.
      const [call] = report.gradientCalls;
      for (const [key, value] of [['before', call.lossBefore], ['during', call.lossDuring], ['after', call.lossAfter]] as const) {
        assert.ok(value != null);
        const sel = `#loss-summary [data-loss="${key}"]`;
        assert.equal(await text(panel, sel), six(value), `${key} loss shown`);
        assert.equal(await panel.page.getAttribute(sel, 'title'), String(value), `${key} loss title`);
      }
      assert.equal(await text(panel, '#loss-summary [data-loss="after-step"]'), '—');
      await panel.page.waitForSelector('#loss-chart canvas');
      // Hover readout: the legend shows the losses of the call under the cursor (call 1 is mid-chart).
      const over = (await panel.page.locator('#loss-chart .u-over').boundingBox())!;
      await panel.page.mouse.move(over.x + over.width / 2, over.y + over.height / 2);
      const legend = panel.page.locator('#loss-chart .u-legend .u-series .u-value');
      await panel.page.waitForFunction(() => document.querySelector('#loss-chart .u-legend .u-series .u-value')?.textContent === '#1');
      assert.deepEqual((await legend.allTextContents()).slice(0, 4), ['#1', six(call.lossBefore!), six(call.lossDuring!), six(call.lossAfter!)]);

      // The loss-gap finding, on the BatchNorm layer, and every other finding the report has.
      const card = panel.page.locator('.finding-card[data-rule="loss-gap"]');
      assert.equal(await card.count(), 1);
      assert.match((await card.textContent()) ?? '', /batch_normalization/);
      assert.equal(await panel.page.locator('#findings .finding-card').count(), report.findings.length);

      // Buttons post commands.
      for (const [id, command] of [['#btn-rerun', 'rerun'], ['#btn-output', 'show-output'], ['#btn-export-json', 'export-json'], ['#btn-export-html', 'export-html']] as const) {
        await panel.page.click(id);
        assert.deepEqual(await lastPosted(panel), { type: 'command', command });
      }

      // The host's final report (run-ended) replaces the live one: its duration is shown.
      await panel.post({ type: 'run-ended', report });
      await panel.page.waitForFunction((ms) => document.querySelector('#run-duration')?.textContent === (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`), report.durationMs!);
      await assertClean(panel);
    } finally {
      await panel.close();
    }
  });

  test('clicking a row posts select-layer and shows its detail; source links post reveal-source', async () => {
    const panel = await openPanel(browser);
    try {
      await postedAtLeast(panel, 1);
      await panel.post({ type: 'report', report });
      await panel.page.click(`${row(bnId)} td.col-name`);
      assert.deepEqual(await lastPosted(panel), { type: 'select-layer', layer: bnId });
      await panel.page.waitForSelector(`#layer-detail[data-layer-id="${bnId}"]`);
      assert.equal(await panel.page.getAttribute(row(bnId), 'aria-selected'), 'true');
      // Per-channel moving statistics before/after against the batch's, and their history chart.
      const bnStats = report.gradientCalls[0].layers.find((l) => l.layer === bnId)!.batchNorm!;
      const cells = await panel.page.locator('#layer-detail .channel-table tbody tr').first().locator('td').allTextContents();
      assert.equal(cells[3].trim(), Number(bnStats.batchMean[0].toPrecision(4)).toString(), 'batch mean of channel 1');
      await panel.page.waitForSelector('#layer-detail .history-chart canvas');

      // The loss chart follows the panel's width.
      const width = () => panel.page.locator('#loss-chart canvas').evaluate((c) => (c as HTMLCanvasElement).getBoundingClientRect().width);
      const wide = await width();
      await panel.page.setViewportSize({ width: 700, height: 900 });
      await panel.page.waitForFunction((w) => {
        const c = document.querySelector('#loss-chart canvas');
        return c != null && c.getBoundingClientRect().width < w - 300;
      }, wide);

      // At 700 px the table's source column is gone (columns go by priority); the detail links the line.
      const layer = report.layers.find((l) => l.id === bnId)!;
      assert.equal(await panel.page.locator(`${row(bnId)} .source-link`).isVisible(), false);
      await panel.page.click('#layer-detail h2 .source-link');
      assert.deepEqual(await lastPosted(panel), { type: 'reveal-source', source: layer.source });
      assert.equal(layer.source?.file, EXAMPLE);

      const gap = report.findings.find((f) => f.rule === 'loss-gap')!;
      await panel.page.click('.finding-card[data-rule="loss-gap"] .source-link');
      assert.deepEqual(await lastPosted(panel), { type: 'reveal-source', source: gap.source });

      // The host selects a layer (sidebar, hover): shown, and not echoed back.
      const before = (await panel.posted()).filter((m) => m.type !== 'view').length;
      await panel.post({ type: 'select-layer', layer: convId });
      await panel.page.waitForSelector(`#layer-detail[data-layer-id="${convId}"]`);
      assert.equal((await panel.posted()).filter((m) => m.type !== 'view').length, before);
      await assertClean(panel);
    } finally {
      await panel.close();
    }
  });

  test('keyboard: Tab reaches the table, arrows move, Enter selects; headers sort', async () => {
    const panel = await openPanel(browser);
    try {
      await postedAtLeast(panel, 1);
      await panel.post({ type: 'report', report });
      await panel.page.waitForSelector(row(convId));
      const focused = () => panel.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.matches('#layer-table tbody tr') ? Number(el.dataset.layerId) : null;
      });
      let presses = 0;
      while ((await focused()) == null && presses++ < 80) await panel.page.keyboard.press('Tab');
      assert.equal(await focused(), bnId, 'Tab lands on the first row');
      await panel.page.keyboard.press('ArrowDown');
      assert.equal(await focused(), convId);
      await panel.page.keyboard.press('Enter');
      assert.deepEqual(await lastPosted(panel), { type: 'select-layer', layer: convId });
      await panel.page.waitForSelector(`#layer-detail[data-layer-id="${convId}"]`);
      assert.equal(await panel.page.getAttribute(row(convId), 'aria-selected'), 'true');
      await panel.page.keyboard.press('Home');
      assert.equal(await focused(), bnId);
      await panel.page.keyboard.press(' ');
      assert.deepEqual(await lastPosted(panel), { type: 'select-layer', layer: bnId });
      // One tab stop: Tab leaves the table body.
      await panel.page.keyboard.press('Tab');
      assert.equal(await focused(), null);

      // Sorting by |grad|: aria-sort on the header, rows reordered; again for descending; by keyboard too.
      const order = () => panel.page.locator('#layer-table tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.layerId)));
      const grad = (id: number) => report.gradientCalls[0].layers.find((l) => l.layer === id)!.gradNorm!;
      const ascending = [bnId, convId].sort((a, b) => grad(a) - grad(b));
      await panel.page.click('button[data-sort-key="gradNorm"]');
      assert.equal(await panel.page.getAttribute('th:has(button[data-sort-key="gradNorm"])', 'aria-sort'), 'ascending');
      assert.deepEqual(await order(), ascending);
      await panel.page.focus('button[data-sort-key="gradNorm"]');
      await panel.page.keyboard.press('Enter');
      assert.equal(await panel.page.getAttribute('th:has(button[data-sort-key="gradNorm"])', 'aria-sort'), 'descending');
      assert.deepEqual(await order(), ascending.slice().reverse());
      assert.equal(await panel.page.getAttribute('th:has(button[data-sort-key="id"])', 'aria-sort'), null);
      await assertClean(panel);
    } finally {
      await panel.close();
    }
  });

  test('a model with 300 layers: the table renders the rows in view, and scrolling, keys and the host reach every row', async () => {
    const wide = await launchRunner({
      script: path.join(ROOT, 'test', 'fixtures', 'scripts', 'wide-model.js'), args: ['150', '6'],
      distDir: path.join(ROOT, 'dist'), stdio: 'pipe',
    }).done;
    assert.equal(wide.report.status, 'completed');
    const ids = wide.report.layers.filter((l) => !l.isContainer).map((l) => l.id);
    assert.equal(ids.length, 300);
    const panel = await openPanel(browser);
    try {
      await postedAtLeast(panel, 1);
      await panel.post({ type: 'report', report: wide.report });
      await panel.page.waitForSelector(row(ids[0]));
      const rendered = () => panel.page.locator('#layer-table tbody tr[data-layer-id]').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.layerId)));
      assert.equal(await panel.page.getAttribute('#layer-table', 'aria-rowcount'), '301');
      const first = await rendered();
      assert.ok(first.length >= 20 && first.length < 150, `${first.length} rows in the DOM`);
      assert.equal(await panel.page.locator(row(ids[299])).count(), 0, 'the last row is not rendered yet');
      // The scroller holds the full height, so the scrollbar is true to the table.
      const heights = await panel.page.evaluate(() => {
        const s = document.querySelector('#layers .table-scroll') as HTMLElement;
        const r = document.querySelector('#layer-table tbody tr[data-layer-id]') as HTMLElement;
        return { scroll: s.scrollHeight, client: s.clientHeight, row: r.offsetHeight };
      });
      assert.ok(heights.scroll >= 300 * heights.row, JSON.stringify(heights));
      assert.ok(heights.client < heights.scroll);
      // Scrolling to the bottom renders the last rows.
      await panel.page.evaluate(() => { const s = document.querySelector('#layers .table-scroll') as HTMLElement; s.scrollTop = s.scrollHeight; });
      await panel.page.waitForSelector(row(ids[299]));
      assert.ok((await rendered()).length < 150);
      // Keys: Home from a row at the bottom goes to the first row, focused; End back to the last.
      await panel.page.focus(row(ids[298]));
      await panel.page.keyboard.press('Home');
      await panel.page.waitForFunction((id) => (document.activeElement as HTMLElement | null)?.dataset?.layerId === String(id), ids[0]);
      await panel.page.keyboard.press('End');
      await panel.page.waitForFunction((id) => (document.activeElement as HTMLElement | null)?.dataset?.layerId === String(id), ids[299]);
      // The host selects a layer in the middle (from a hover or the sidebar): it is scrolled into view.
      await panel.post({ type: 'select-layer', layer: ids[150] });
      await panel.page.waitForSelector(`${row(ids[150])}[aria-selected="true"]`);
      const inView = await panel.page.evaluate((sel) => {
        const s = (document.querySelector('#layers .table-scroll') as HTMLElement).getBoundingClientRect();
        const r = (document.querySelector(sel) as HTMLElement).getBoundingClientRect();
        return r.top >= s.top && r.bottom <= s.bottom;
      }, row(ids[150]));
      assert.ok(inView, 'the selected row is inside the scroller\'s view');
      await assertClean(panel);
    } finally {
      await panel.close();
    }
  });

  test('state survives a reload (setState/getState): report, selected layer, sort', async () => {
    const panel = await openPanel(browser);
    try {
      await postedAtLeast(panel, 1);
      await panel.post({ type: 'report', report });
      await panel.page.click(`${row(bnId)} td.col-name`);
      await panel.page.click('button[data-sort-key="drift"]');
      await panel.page.waitForFunction(() => (window as any).__tfd.setStateCalls > 0);

      await panel.page.reload();
      // Rendered from the saved state before the host sends anything.
      await panel.page.waitForSelector(`#layer-detail[data-layer-id="${bnId}"]`);
      assert.deepEqual(await postedAtLeast(panel, 1), [{ type: 'ready' }]);
      assert.equal(await text(panel, '#loss-summary [data-loss="during"]'), six(report.gradientCalls[0].lossDuring!));
      assert.equal(await panel.page.getAttribute('th:has(button[data-sort-key="drift"])', 'aria-sort'), 'ascending');
      assert.equal(await panel.page.getAttribute(row(bnId), 'aria-selected'), 'true');

      // The host's report replaces it; null clears the panel.
      await panel.post({ type: 'report', report: null });
      await panel.page.waitForSelector('#run-status[data-status="none"]');
      assert.equal(await panel.page.locator('#layer-table').count(), 0);
      await assertClean(panel);
    } finally {
      await panel.close();
    }
  });

  doc.test('strings from the report render as text, never as HTML', async () => {
    const panel = await openPanel(browser);
    try {
      await postedAtLeast(panel, 1);
      const hostile = hostileReport();
      await panel.post({ type: 'report', report: hostile });
      await panel.post({ type: 'select-layer', layer: bnId });
      await panel.page.waitForSelector(`#layer-detail[data-layer-id="${bnId}"]`);
      await panel.page.click('#run-log summary');
      await panel.page.click('#error-banner summary');
      assert.equal(await elementsInjected(panel), 0, 'no element created from report text');
      assert.match(await text(panel, `${row(bnId)} td.col-name`), /^<img src=x onerror=alert\(1\)>$/);
      assert.match(await text(panel, '#layer-detail h2'), /<img src=x onerror=alert\(1\)>/);
      assert.match(await text(panel, `${row(convId)} td.col-className`), /^<svg onload=alert\(2\)>$/);
      assert.match(await text(panel, '.finding-card .finding-message'), /^<script>alert\(1\)<\/script><\/script><script>alert\(11\)<\/script> /);
      assert.match(await text(panel, '#error-banner .banner-message'), /^<script>alert\(6\)<\/script>$/);
      assert.match(await text(panel, '#error-banner .stack pre'), /^<img src=x onerror=alert\(7\)>$/);
      assert.match(await text(panel, '#run-log pre'), /<script>alert\(8\)<\/script>/);
      assert.equal(await panel.page.getAttribute('#run-header .target', 'title'), hostile.target);
      assert.match(await text(panel, '#run-tfjs'), /^tfjs <img src=x onerror=alert\(9\)>/);
      assert.equal(await panel.page.locator('.finding-card').first().getAttribute('data-rule'), hostile.findings[0].rule);
      // The hostile path is only data: clicking it posts it as it is.
      await panel.page.click(`${row(convId)} .source-link`);
      assert.deepEqual(await lastPosted(panel), { type: 'reveal-source', source: hostile.layers.find((l) => l.id === convId)!.source });
      await panel.page.waitForTimeout(100);
      await assertClean(panel);
      return {
        tried: 11,
        result: 'hostile layer name, class, file path, target, tfjs version, finding rule, message and fix, error message and stack, log line ' +
          '(<script>, <img onerror>, <svg onload>, "> breaking out of attributes): shown as text in table, detail, findings, banner and log; ' +
          '0 elements created; a source link posts its path as data; no console error, dialog or CSP violation (script nonce, default-src \'none\')',
        lost: 'nothing',
      };
    } finally {
      await panel.close();
    }
  }, { caseName: 'hostile strings in the panel webview, under its CSP' });
});

describe('standalone HTML report', () => {
  doc.test('renders the embedded report read-only under a nonce-only CSP', async () => {
    const hostile = hostileReport();
    const panel = await openPanel(browser, { theme: 'light', html: standaloneHtml(JSON.stringify(hostile)) });
    try {
      await panel.page.waitForSelector(row(bnId));
      assert.equal(await panel.page.evaluate(() => document.documentElement.classList.contains('tfjs-standalone')), true);
      assert.equal(await panel.page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim()), '#ffffff');
      assert.equal(await panel.page.evaluate(() => document.querySelector('tfd-app')?.parentElement?.id), 'tfjs-debugger-root');
      assert.equal(await panel.page.locator('#run-header vscode-button').count(), 0, 'no buttons');
      assert.equal(await panel.page.locator('.source-link').count(), 0, 'no links that post');
      // The hostile target differs from the file the layer was built in, so the file name shows.
      assert.equal(await text(panel, `${row(bnId)} td.col-source`), `batchnorm-mismatch.js:${report.layers.find((l) => l.id === bnId)!.source!.line}`);
      assert.equal(await text(panel, '#loss-summary [data-loss="before"]'), six(report.gradientCalls[0].lossBefore!));
      assert.match(await text(panel, '.finding-card .finding-message'), /^<script>alert\(1\)<\/script><\/script><script>alert\(11\)<\/script>/);
      assert.equal(await elementsInjected(panel), 0);
      await panel.page.click(`${row(bnId)} td.col-name`);
      await panel.page.waitForSelector(`#layer-detail[data-layer-id="${bnId}"] .history-chart canvas`);
      await panel.page.waitForTimeout(100);
      assert.deepEqual(panel.problems.errors, [], 'console errors (CSP violations are reported there)');
      assert.deepEqual(panel.problems.dialogs, []);
      return {
        tried: 11,
        result: 'the same hostile report embedded in the standalone page (CSP default-src \'none\', nonce-only scripts and styles): text only, ' +
          '0 elements created, no buttons or links that post, charts drawn, no console error or dialog',
        lost: 'nothing',
      };
    } finally {
      await panel.close();
    }
  }, { caseName: 'hostile strings in the panel as the HTML report embeds it' });
});

describe('screenshots', () => {
  test('dark, light and high contrast (switched live, as VS Code does): docs/screenshots/panel-*.png', async () => {
    const panel = await openPanel(browser, { theme: 'dark', width: 1200, height: 900 });
    try {
      await postedAtLeast(panel, 1);
      await panel.post({ type: 'report', report });
      await panel.page.click(`${row(bnId)} td.col-name`);
      await panel.page.waitForSelector('#loss-chart canvas');
      await panel.page.waitForSelector('#layer-detail .history-chart canvas');
      await panel.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await panel.page.mouse.move(1199, 899);
      mkdirSync(SHOTS, { recursive: true });
      for (const theme of Object.values(THEMES)) {
        await panel.page.evaluate((t) => {
          const root = document.documentElement;
          for (const name of [...root.style]) if (name.startsWith('--vscode-')) root.style.removeProperty(name);
          for (const [k, v] of Object.entries(t.vars)) root.style.setProperty(k, v);
          document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast');
          document.body.classList.add(t.bodyClass);
          document.body.dataset.vscodeThemeKind = t.kind;
          window.scrollTo(0, 0);
        }, theme);
        // The charts redraw with the new theme's colors (read from the variables).
        await panel.page.waitForFunction((blue) => {
          const u = document.querySelector('#loss-chart .uplot .u-legend .u-series:nth-child(2) .u-marker') as HTMLElement | null;
          return u != null && getComputedStyle(u).borderColor === blue;
        }, hexToRgb(theme.vars['--vscode-charts-blue']));
        await panel.page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
        await panel.page.screenshot({ path: path.join(SHOTS, `panel-${theme.name}.png`) });
      }
      assert.ok(await panel.page.evaluate(() => document.fonts.check('16px codicon')), 'codicon font loaded');
      await assertClean(panel);
    } finally {
      await panel.close();
    }
  });
});

function hexToRgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
