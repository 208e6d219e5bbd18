// The host's RunStore and PanelFeed driving the real panel bundle in headless Chromium, with the runner's real
// events for examples/batchnorm-mismatch.js: the run streams as updates; Stop shows "stopping…" at once and
// "stopped" (a note, not a red error) once the runner has ended; Re-run is not the primary button while running;
// an older run opens; two runs compare side by side; scrolled away from the layer table, the panel says so and the
// host stops sending per-layer data; at 350 px the layer table keeps the name and the two modes, the name column
// frozen. Screenshots: docs/screenshots/panel-compare.png, panel-narrow.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import type { RunReport } from '../../src/protocol/report.ts';
import { launchRunner } from '../../src/host/launch.ts';
import { PanelFeed } from '../../src/extension/logic/panelFeed.ts';
import { RunStore, type RunRequest } from '../../src/extension/logic/runStore.ts';
import { launchChromium, openPanel, ROOT, type Panel } from './harness.ts';

const EXAMPLE = path.join(ROOT, 'examples', 'batchnorm-mismatch.js');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const REQUEST: RunRequest = { kind: 'script', target: EXAMPLE, args: [], cwd: ROOT };

let browser: Browser;
const events: RunnerEvent[] = [];
let report: RunReport;

before(async () => {
  const [run, chromium] = await Promise.all([
    launchRunner({ script: EXAMPLE, distDir: path.join(ROOT, 'dist'), stdio: 'pipe', onEvent: (e) => events.push(e) }).done,
    launchChromium(),
  ]);
  browser = chromium;
  report = run.report;
  assert.equal(report.status, 'completed');
});

after(async () => {
  await browser?.close();
});

/** A store and a feed posting into the page, as DebuggerPanel wires them; the page's messages go to the feed. */
async function connect(panel: Panel): Promise<{ store: RunStore; feed: PanelFeed; sent: string[] }> {
  const store = new RunStore(null);
  const sent: string[] = [];
  const feed = new PanelFeed(store, (m) => {
    sent.push(m.type);
    panel.post(m).catch(() => undefined);
  });
  await panel.page.waitForFunction(() => ((window as any).__tfd?.posted?.length ?? 0) >= 1);
  feed.attach();
  return { store, feed, sent };
}

describe('the panel fed by the host', () => {
  test('a run streams; Stop: "stopping…" at once, then "stopped" as a note; Re-run is secondary while running', async () => {
    const panel = await openPanel(browser);
    try {
      const { store, feed, sent } = await connect(panel);
      const run = store.start(REQUEST);
      const split = events.findIndex((e) => e.type === 'gradient-call');
      for (const e of events.slice(0, split)) run.live!.apply(e);
      await panel.page.waitForSelector('#run-status[data-status="running"]');
      assert.equal(await panel.page.getAttribute('#btn-rerun', 'secondary'), '', 'Re-run is secondary while running');
      assert.equal(await panel.page.getAttribute('#btn-stop', 'secondary'), null, 'Stop is the primary button');
      for (const e of events.slice(split, -1)) run.live!.apply(e);
      await panel.page.waitForFunction(() => document.querySelector('#run-calls')?.textContent?.includes('1 gradient call'));

      // Stop: the host ends the live report (launchRunner's cancel), the runner is still going down.
      run.live!.end('cancelled', { message: 'The run was stopped.', file: null, line: null }, null);
      await panel.page.waitForSelector('#run-status[data-status="stopping"]');
      assert.match((await panel.page.textContent('#run-status')) ?? '', /stopping…/);
      assert.equal(await panel.page.locator('#btn-stop[disabled]').count(), 1, 'Stop cannot be pressed twice');
      // The runner has ended: the final state.
      await store.finish(run.id, { ...run.report(), status: 'cancelled' });
      await panel.page.waitForSelector('#run-status[data-status="cancelled"]');
      assert.match((await panel.page.textContent('#run-status')) ?? '', /stopped/);
      assert.equal(await panel.page.locator('#error-banner').count(), 0, 'a user\'s Stop is not an error');
      assert.match((await panel.page.textContent('#stopped-note')) ?? '', /You stopped the run/);
      assert.equal(await panel.page.getAttribute('#btn-rerun', 'secondary'), null, 'Re-run is the primary button again');
      assert.equal(await panel.page.locator('#btn-stop').count(), 0);
      assert.ok(!sent.slice(1, -1).includes('report'), `no whole report while the run streamed: ${sent.join(',')}`);
      feed.dispose();
    } finally {
      await panel.close();
    }
  });

  test('an older run opens; two runs side by side; scrolled away, the panel tells the host', async () => {
    const panel = await openPanel(browser, { width: 1200, height: 700 });
    try {
      const { store, feed } = await connect(panel);
      const ids: string[] = [];
      for (const args of [['first'], ['second']]) {
        const run = store.start({ ...REQUEST, args });
        for (const e of events) run.live!.apply(e);
        await store.finish(run.id, { ...report, args });
        ids.push(run.id);
      }
      await panel.page.waitForSelector('#run-status[data-status="completed"]');
      store.show(ids[0]);
      await panel.page.waitForFunction(() => document.querySelector('#run-header .target')?.getAttribute('title')?.endsWith('first'));

      // Scrolled past the layer table and back to it: the panel tells the host each time.
      await panel.page.evaluate(() => {
        document.body.style.minHeight = '4000px';
        window.scrollTo(0, 4000);
      });
      await panel.page.waitForFunction(() => (window as any).__tfd.posted.some((m: any) => m.type === 'view' && m.layers === false));
      await panel.page.evaluate(() => document.querySelector('tfd-layer-table')?.scrollIntoView());
      await panel.page.waitForFunction(() => (window as any).__tfd.posted.filter((m: any) => m.type === 'view').at(-1)?.layers === true);
      await panel.page.evaluate(() => window.scrollTo(0, 0));

      assert.ok(feed.compare(ids[0], ids[1]));
      await panel.page.waitForSelector('#compare #compare-before .chart canvas');
      await panel.page.waitForSelector('#compare #compare-after .chart canvas');
      assert.equal(await panel.page.getAttribute('#compare-before', 'data-run-id'), ids[0]);
      assert.equal(await panel.page.getAttribute('#compare-after', 'data-run-id'), ids[1]);
      assert.equal(await panel.page.locator('#compare-before .compare-finding[data-rule="loss-gap"]').count(), 1);
      assert.match((await panel.page.textContent('#compare-verdict')) ?? '', /unchanged .* → /);
      mkdirSync(SHOTS, { recursive: true });
      await panel.page.mouse.move(1199, 699);
      await panel.page.screenshot({ path: path.join(SHOTS, 'panel-compare.png') });
      await panel.page.click('#btn-close-compare');
      await panel.page.waitForSelector('#run-header');
      assert.deepEqual((await panel.posted()).filter((m) => m.type === 'close-compare'), [{ type: 'close-compare' }]);
      feed.dispose();
    } finally {
      await panel.close();
    }
  });

  test('at 350 px: the name and both modes stay, the name column frozen when the table scrolls sideways', async () => {
    const panel = await openPanel(browser, { width: 350, height: 800 });
    try {
      const { store, feed } = await connect(panel);
      const run = store.start(REQUEST);
      for (const e of events) run.live!.apply(e);
      await store.finish(run.id, report);
      await panel.page.waitForSelector('#layer-table tbody tr');
      const visible = await panel.page.evaluate(() => [...document.querySelectorAll('#layer-table thead th')]
        .filter((th) => getComputedStyle(th).display !== 'none').map((th) => th.className.split(' ')[0]));
      assert.deepEqual(visible, ['col-name', 'col-modeInside', 'col-modeOutside']);
      const fits = await panel.page.evaluate(() => {
        const s = document.querySelector('#layers .table-scroll') as HTMLElement;
        s.scrollLeft = s.scrollWidth;
        const name = document.querySelector('#layer-table tbody td.col-name')!.getBoundingClientRect();
        return { left: name.left, scroller: s.getBoundingClientRect().left, page: document.documentElement.scrollWidth };
      });
      assert.ok(fits.left >= fits.scroller - 1, `the name column stays in view: ${JSON.stringify(fits)}`);
      assert.ok(fits.page <= 350, `no page-wide horizontal scroll: ${fits.page}`);
      // The layer's own line: the detail links it.
      await panel.page.click('#layer-table tbody tr td.col-name');
      await panel.page.waitForSelector('#layer-detail h2');
      await panel.page.evaluate(() => {
        (document.querySelector('#layers .table-scroll') as HTMLElement).scrollLeft = 0;
        document.querySelector('#layers')?.scrollIntoView();
      });
      mkdirSync(SHOTS, { recursive: true });
      await panel.page.mouse.move(349, 799);
      await panel.page.screenshot({ path: path.join(SHOTS, 'panel-narrow.png') });
      feed.dispose();
    } finally {
      await panel.close();
    }
  });
});
