// Scenario 9: runs are history, and Stop reaches every surface. A long run is stopped from the panel: the panel
// shows "stopping…" then "stopped", the status bar "stopping…" then its "stopped" message, and the sidebar ends at
// "stopped" with the same gradient call count as the panel (states, recorded as they appear; no durations). Then
// an older run opens from the sidebar, two runs are compared side by side, a run is renamed and one deleted, and a
// window reload keeps the runs. Screenshots: docs/screenshots/e2e-compare.png, e2e-runs.png.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { log, ROOT } from './harness.ts';
import { scenario } from './suite.ts';
import { until, type Workbench } from './workbench.ts';

const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

// Page scripts as text: tsx (esbuild, keepNames) would wrap named inner functions in __name(), absent in the page.
const RECORD_WORKBENCH = `(() => {
  const w = window;
  w.__tfdStatus = [];
  w.__tfdTree = [];
  const push = (list, text) => { if (list[list.length - 1] !== text) list.push(text); };
  const record = () => {
    const bar = [...document.querySelectorAll('.part.statusbar .statusbar-item')].map((e) => (e.textContent || '').trim()).filter((t) => /TF\\.js/.test(t));
    push(w.__tfdStatus, bar.join(' | '));
    const rows = [...document.querySelectorAll('.part.sidebar .monaco-list-row')].map((r) => r.getAttribute('aria-label') || '').filter((t) => /^Run long-run\\.js/.test(t));
    push(w.__tfdTree, rows.join(' | '));
  };
  const observer = new MutationObserver(record);
  for (const part of ['.part.statusbar', '.part.sidebar']) {
    const el = document.querySelector(part);
    if (el) observer.observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
  }
  record();
})()`;

const RECORD_PANEL = `(() => {
  const w = window;
  w.__tfdPanel = [];
  const record = () => {
    const s = (document.querySelector('#run-status') && document.querySelector('#run-status').getAttribute('data-status')) || 'none';
    if (w.__tfdPanel[w.__tfdPanel.length - 1] !== s) w.__tfdPanel.push(s);
  };
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  record();
})()`;

/** Records, in the workbench page, each new text of the TF.js status bar entries and of the long run's sidebar row. */
async function recordWorkbench(page: Page): Promise<void> {
  await page.evaluate(RECORD_WORKBENCH);
}

/** Records, in the panel's frame, each status the panel shows. */
async function recordPanel(frame: Frame): Promise<void> {
  await frame.evaluate(RECORD_PANEL);
}

function calls(text: string): number {
  return Number((/([\d,]+) gradient calls?/.exec(text)?.[1] ?? '-1').replace(/,/g, ''));
}

async function runRow(wb: Workbench, label: RegExp): Promise<string> {
  const row = wb.treeRow(label);
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  return (await row.getAttribute('aria-label')) ?? '';
}

describe('runs are history; Stop reaches every surface', () => {
  const sc = scenario({ name: 'runs', settings: { 'tfjsDebugger.probeBudget': 0 } });

  sc.step('9a. a long run stopped from the panel: "stopping…" then "stopped" on the panel, the status bar and the sidebar', async (_s, wb) => {
    await wb.openDebuggerSidebar();
    await wb.openFile('long-run.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('running', 60_000);
    // The sidebar counts the calls as they come (it once stayed at 0 for whole runs).
    const running = await until('the sidebar to count gradient calls', async () => {
      const t = await runRow(wb, /^long-run\.js$/);
      return /running/.test(t) && calls(t) > 10 ? t : null;
    }, 60_000, 250);
    log(`sidebar while running: ${running}`);
    const bar = await until('the status bar item', async () => {
      const t = await wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: /TF\.js: \d/ }).first().textContent().catch(() => null);
      return t && calls(t) > 0 ? t : null;
    }, 10_000);
    log(`status bar while running: ${bar}`);

    await recordWorkbench(wb.page);
    const frame = await wb.panelFrame();
    await recordPanel(frame);
    await frame.locator('#btn-stop').click();
    await wb.waitForPanelStatus('cancelled', 60_000);
    const final = await until('the sidebar to say stopped', async () => {
      const t = await runRow(wb, /^long-run\.js$/);
      return /stopped/.test(t) ? t : null;
    }, 30_000, 200);
    const recorded = () => wb.page.evaluate('({ status: window.__tfdStatus, tree: window.__tfdTree })') as Promise<{ status: string[]; tree: string[] }>;
    const message = await until('the status bar to say stopped', async () => (await recorded()).status.find((t) => /stopped/.test(t)) ?? null, 30_000, 200);
    const seen = await recorded();
    const panel = await frame.evaluate('window.__tfdPanel') as string[];
    log(`panel showed: ${panel.join(' → ')}`);
    log(`status bar showed: ${seen.status.join(' → ')}`);
    log(`sidebar showed: ${seen.tree.join(' → ')}`);
    // The panel: running, stopping…, stopped; never running again.
    const at = panel.indexOf('stopping');
    assert.ok(at >= 0, `the panel showed "stopping…": ${panel.join(' → ')}`);
    assert.ok(panel.indexOf('cancelled') > at, 'then "stopped"');
    assert.ok(!panel.slice(at).includes('running'));
    assert.match((await wb.panelText('#run-status')) ?? '', /stopped/);
    assert.equal(await wb.panelText('#error-banner'), null, 'a user\'s Stop is not shown as an error');
    // The status bar: "stopping…", then the item goes and its message says the run stopped.
    const stopping = seen.status.findIndex((t) => /stopping…/.test(t));
    assert.ok(stopping >= 0, `the status bar showed "stopping…": ${seen.status.join(' → ')}`);
    assert.ok(seen.status.findIndex((t) => /stopped/.test(t)) > stopping);
    assert.match(message, /long-run\.js stopped/);
    assert.ok(!/TF\.js: \d/.test(seen.status.at(-1) ?? ''), 'no running item once stopped');
    // The sidebar: stopped, with the panel's count.
    assert.ok(!seen.tree.slice(seen.tree.findIndex((t) => /stopped/.test(t))).some((t) => /running/.test(t)), 'never "running" after "stopped"');
    const panelCalls = calls((await wb.panelText('#run-calls')) ?? '');
    assert.equal(calls(final), panelCalls, `the sidebar and the panel agree: "${final}" / ${panelCalls}`);
    assert.ok(panelCalls > 10 && panelCalls < 300, `stopped midway: ${panelCalls}`);
  });

  sc.step('9b. another run; the older one opens from the sidebar, with its own state', async (_s, wb) => {
    await wb.openFile('batchnorm-mismatch.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('completed', 120_000);
    assert.equal(await wb.panelText('#run-header .target'), 'batchnorm-mismatch.js');
    await wb.openDebuggerSidebar();
    await wb.treeRow(/^long-run\.js$/).click();
    await until('the panel to show the long run', async () => (await wb.panelText('#run-header .target')) === 'long-run.js', 30_000);
    assert.equal(await wb.panelStatus(), 'cancelled');
    // The tree re-renders the row after the panel switched: wait for it.
    await until('the sidebar to mark the long run as shown', async () => /shown in the panel/.test(await runRow(wb, /^long-run\.js$/)) || null, 15_000, 250);
    await wb.treeRow(/^batchnorm-mismatch\.js$/).click();
    await until('the panel to show the example again', async () => (await wb.panelText('#run-header .target')) === 'batchnorm-mismatch.js', 30_000);
    assert.equal(await wb.panelStatus(), 'completed');
  });

  sc.step('9c. Compare Runs: the two runs\' losses and findings side by side', async (s, wb) => {
    await wb.runCommand('TF.js Debugger: Compare Runs…');
    await pick(wb, 'long-run');
    await pick(wb, 'batchnorm-mismatch');
    // The panel's frame shows the compare view (no run header then).
    const sides = await wb.compareView();
    log(`compare: ${sides.before} | ${sides.after}; findings after: ${sides.rulesAfter.join(', ')}`);
    assert.match(sides.before, /^long-run\.js · /, 'the older run on the left');
    assert.match(sides.after, /^batchnorm-mismatch\.js · /);
    assert.ok(sides.rulesAfter.includes('loss-gap'), 'the example\'s findings on its side');
    await s.screenshot(path.join(SCREENSHOTS, 'e2e-compare.png'));
    await sides.frame.locator('#btn-close-compare').click();
    await until('back to the run', () => wb.inPanel((d) => d.querySelector('#run-header') !== null && d.querySelector('#compare') === null || null), 15_000);
  });

  sc.step('9d. rename a run, delete another; the sidebar follows', async (s, wb) => {
    await wb.runCommand('TF.js Debugger: Rename Run…');
    await pick(wb, 'long-run');
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('before the fix');
    await wb.page.keyboard.press('Enter');
    const renamed = await runRowText(wb, /^before the fix$/);
    assert.match(renamed, /stopped/);

    await wb.runCommand('TF.js Debugger: Delete Run');
    await pick(wb, 'batchnorm-mismatch');
    await until('the deleted run gone from the sidebar', async () => (await wb.treeRows()).every((r) => r.label !== 'batchnorm-mismatch.js') || null, 15_000);
    // The panel falls back to the run that is left.
    await until('the panel to show the renamed run', async () => (await wb.panelText('#run-header .target')) === 'long-run.js', 30_000);
    await s.screenshot(path.join(SCREENSHOTS, 'e2e-runs.png'));
  });

  sc.step('9e. reload the window: the runs are kept, names included, and open in the panel', async (s, wb) => {
    await wb.runCommand('Developer: Reload Window');
    await s.waitForWorkbench();
    await wb.openDebuggerSidebar();
    const row = await runRowText(wb, /^before the fix$/);
    assert.match(row, /stopped/);
    const labels = (await wb.treeRows()).filter((r) => r.depth === 1).map((r) => r.label);
    assert.deepEqual(labels, ['before the fix'], `the deleted run stays deleted: ${labels.join(', ')}`);
    await wb.treeRow(/^before the fix$/).click();
    await until('the panel to show the kept run', async () => (await wb.panelText('#run-header .target').catch(() => null)) === 'long-run.js', 60_000);
    assert.equal(await wb.panelStatus(), 'cancelled');
  });
});

/** Picks a run in the run quick pick by typing the start of its name (the list is filtered to it). */
async function pick(wb: Workbench, name: string): Promise<void> {
  await wb.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 15_000 });
  await until('the run quick pick', async () => (await wb.page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => ''))?.includes('TF.js Debugger') || null, 15_000);
  await wb.page.keyboard.type(name, { delay: 5 });
  await wb.acceptQuickPick(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

async function runRowText(wb: Workbench, label: RegExp): Promise<string> {
  return until(`the sidebar row ${label}`, async () => {
    const row = wb.treeRow(label);
    return (await row.count()) ? (await row.getAttribute('aria-label')) : null;
  }, 30_000);
}
