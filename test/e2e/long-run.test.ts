// Scenario 8: a long run (300 gradient calls) streams into the panel while it runs: the call count and the
// chart grow, and the panel and the workbench answer promptly meanwhile.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { log, sleep } from './harness.ts';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';

const STEPS = 300;
/** No probe budget: every call on the interval is probed, whatever the machine's load (the default budget skips
 *  some on a busy machine), so the chart's size is known: calls 1–50, then every 10th. */
const EXPECTED_POINTS = 50 + (STEPS - 50) / 10;

/** "… over 42 probed gradient calls" from the chart's label. */
function chartPoints(label: string | null): number {
  return Number(/over (\d+) probed gradient call/.exec(label ?? '')?.[1] ?? 0);
}

describe('a long run', () => {
  const sc = scenario({ name: 'long-run', settings: { 'tfjsDebugger.probeBudget': 0 } });

  sc.step('8. 300 gradient calls stream into the panel; the chart grows; the UI stays responsive', async (_s, wb) => {
    await wb.openFile('long-run.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('running', 60_000);

    // Samples while the run is in progress: the call count and the chart's size, read together.
    const samples: { t: number; calls: string; points: number }[] = [];
    const latencies: { what: string; ms: number }[] = [];
    const t0 = Date.now();
    let lastProbe = 0;
    while (Date.now() - t0 < 180_000) {
      const frame = await wb.panelFrame();
      const now = await frame.evaluate(() => ({
        status: document.querySelector('#run-status')?.getAttribute('data-status') ?? null,
        calls: document.querySelector('#run-calls')?.textContent?.trim() ?? '',
        label: document.querySelector('#loss-chart')?.getAttribute('aria-label') ?? null,
      })).catch(() => null);
      if (!now) continue;
      if (now.status !== 'running') break;
      samples.push({ t: Date.now() - t0, calls: now.calls, points: chartPoints(now.label) });

      if (samples[samples.length - 1].points > 5 && latencies.length < 6 && Date.now() - lastProbe > 2000) {
        lastProbe = Date.now();
        // The panel: a click on a layer row until its detail is on screen, timed inside the webview (what the
        // user waits for; no test-driver round trips in it).
        const ms = await frame.evaluate(async (k) => {
          const rows = [...document.querySelectorAll('#layer-table tbody tr[data-layer-id]')] as HTMLElement[];
          if (rows.length === 0) return null;
          const row = rows[k % rows.length];
          const id = row.getAttribute('data-layer-id');
          const t = performance.now();
          row.click();
          while (!document.querySelector(`#layer-detail[data-layer-id="${id}"]`)) {
            await new Promise((r) => requestAnimationFrame(r));
            if (performance.now() - t > 10_000) return -1;
          }
          await new Promise((r) => requestAnimationFrame(r));
          return performance.now() - t;
        }, latencies.length).catch(() => null);
        if (ms != null) latencies.push({ what: 'panel: select a layer', ms: Math.round(ms) });
        // The workbench: the command palette opens (timed from the test, round trips included).
        const t = Date.now();
        await wb.page.keyboard.press('F1');
        await wb.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10_000 });
        latencies.push({ what: 'workbench: open the palette', ms: Date.now() - t });
        await wb.closeQuickInput();
      }
      await sleep(250);
    }
    await wb.waitForPanelStatus('completed', 180_000);
    const final = (await wb.panelText('#run-calls')) ?? '';
    const finalPoints = chartPoints(await wb.panelAttribute('#loss-chart', 'aria-label'));
    log(`long run: ${samples.length} samples while running; points ${samples.map((x) => x.points).join(',')}; final "${final}", ${finalPoints} points`);
    log(`long run latencies: ${latencies.map((l) => `${l.what} ${l.ms} ms`).join('; ')}`);

    const whileRunning = samples.filter((x) => x.points > 0);
    const distinct = new Set(whileRunning.map((x) => x.points));
    assert.ok(distinct.size >= 3, `the chart grew while the run was in progress (${[...distinct].join(', ')})`);
    for (let i = 1; i < whileRunning.length; i++) assert.ok(whileRunning[i].points >= whileRunning[i - 1].points, 'the chart never shrinks');
    // Streamed, not delivered at the end: samples taken while running saw fewer points than the end has. (The
    // last sample may already see every point: the run-ended message follows the last events by a moment.)
    assert.ok(whileRunning.length > 0 && whileRunning[0].points < finalPoints, 'the chart was incomplete while the run was in progress');
    const callCounts = new Set(samples.map((x) => x.calls));
    assert.ok(callCounts.size >= 3, `the gradient call count moved while running: ${[...callCounts].join(' | ')}`);
    assert.match(final, new RegExp(`\\b${STEPS}\\b`), `the panel ends with ${STEPS} gradient calls: ${final}`);
    assert.equal(finalPoints, EXPECTED_POINTS, 'every call up to the 50th and every 10th after it is probed');
    // Responsive while the run streams: each click showed its layer's detail and the palette opened each time
    // (how fast is the bench's business: npm run bench, "webview").
    assert.ok(latencies.some((l) => l.what.startsWith('panel')), 'the layer table was clicked during the run');
    assert.ok(latencies.every((l) => l.ms >= 0), `every click showed its layer's detail: ${JSON.stringify(latencies)}`);
    await wb.page.waitForTimeout(200);
    await until('the chart canvas', async () => (await wb.panelFrame()).locator('#loss-chart canvas').count().then((c) => c > 0), 5000);
  });
});
