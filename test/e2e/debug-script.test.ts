// Scenarios 1, 2, 3 and 7 on the BatchNorm example, in one code-server session (each builds on the run the
// first one makes): the command palette, the panel, the hover, Problems, the CodeLens, the sidebar tree, and a
// window reload that restores the panel and the hovers from the last run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { log, ROOT } from './harness.ts';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';

const EXAMPLE = 'batchnorm-mismatch.js';
const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const source = readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8').split('\n');
/** 1-based line numbers in the example. */
const BN_LINE = source.findIndex((l) => l.includes('batchNormalization(')) + 1;
const CONV_LINE = source.findIndex((l) => l.includes('conv2d(')) + 1;

interface Printed {
  initial: string;
  during: string;
  final: string;
}

/** The script's own three losses, as printed in the TF.js Debugger terminal. */
function parsePrintout(text: string): Printed | null {
  const grab = (label: string) => new RegExp(`${label}: (-?[\\d.eE+-]+)`).exec(text)?.[1] ?? null;
  const initial = grab('initial loss');
  const during = grab('loss calculated in gradient');
  const final = grab('final loss');
  return initial && during && final ? { initial, during, final } : null;
}

/** The panel shows 6 significant digits of the value the script printed. */
function shows(text: string, printed: string): boolean {
  const v = Number(printed);
  return Math.abs(Number(text) - v) <= Math.abs(v) * 5e-6;
}

describe('debugging the BatchNorm example', () => {
  const sc = scenario({ name: 'debug-script' });
  let printed: Printed | null = null;
  let losses: Record<string, { text: string; full: string }> = {};

  sc.step('smoke: the workbench loads with the extension, its commands are in the palette', async (_s, wb) => {
    const entries = await wb.paletteEntries('TF.js Debugger', (l) => l.some((e) => e.startsWith('TF.js Debugger: Debug Training Script')));
    for (const title of ['Debug Training Script', 'Probe Saved Model', 'Show Panel', 'Open Example']) {
      assert.ok(entries.some((e) => e.startsWith(`TF.js Debugger: ${title}`)), `palette lists "TF.js Debugger: ${title}"; it shows: ${entries.join(' | ')}`);
    }
    // Stop is only offered while a run is in progress.
    assert.ok(!entries.some((e) => e.startsWith('TF.js Debugger: Stop')), 'Stop is not offered with no run');
    await wb.page.locator('.part.activitybar [aria-label^="TF.js Debugger"]').first().waitFor({ state: 'visible', timeout: 10_000 });
  });

  sc.step('1. F1 › Debug Training Script: the panel shows the modes, the three losses of the printout and the loss-gap finding', async (s, wb) => {
    await wb.openFile(EXAMPLE);
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('completed', 120_000);

    // The run header: the bundled tfjs ran (the workspace has no node_modules).
    const header = await wb.panelText('#run-header');
    assert.match(header ?? '', /batchnorm-mismatch\.js/);
    assert.match(header ?? '', /bundled/, `the header says the bundled tfjs ran: ${header}`);

    // Which layer ran in which mode.
    const rows = await wb.layerTable();
    const bn = rows.find((r) => /batch_normalization/.test(r.name));
    assert.ok(bn, `a BatchNorm row in the layer table: ${JSON.stringify(rows)}`);
    assert.equal(bn.modeInside, 'training', 'BatchNorm ran in training mode inside the gradient call');
    assert.equal(bn.modeOutside, 'inference', 'BatchNorm ran in inference mode outside it (predict)');
    assert.match(bn.source, new RegExp(`${BN_LINE}`), 'the row links to the line that built the layer');

    // The three losses, against the script's own printout in the "TF.js Debugger" terminal.
    await wb.runCommand('TF.js Debugger: Show Script Output');
    const output = await until('the script printout in the terminal', async () => parsePrintout(await wb.terminalText()), 30_000, 1000);
    printed = output;
    losses = await wb.losses();
    assert.equal(losses.before?.full, output.initial, 'before = the script\'s "initial loss", to the last digit');
    assert.equal(losses.during?.full, output.during, 'during = "loss calculated in gradient"');
    assert.equal(losses.after?.full, output.final, 'after = "final loss"');
    assert.ok(shows(losses.before.text, output.initial) && shows(losses.during.text, output.during) && shows(losses.after.text, output.final),
      `the shown values round the printed ones: ${JSON.stringify(losses)} vs ${JSON.stringify(output)}`);
    assert.equal(new Set([output.initial, output.during, output.final]).size, 3, 'three different losses');

    // The loss-gap finding card names the layer and its line.
    const findings = await wb.findings();
    const gap = findings.find((f) => f.rule === 'loss-gap');
    assert.ok(gap, `a loss-gap finding card: ${JSON.stringify(findings.map((f) => f.rule))}`);
    assert.match(gap.text, /batch_normalization/);
    assert.match(gap.text, new RegExp(`${EXAMPLE.replace('.', '\\.')}:${BN_LINE}`));

    // The panel is open and shows the outcome: no notification repeats it (one comes only when the panel is closed).
    assert.ok(!(await wb.notifications()).some((t) => /batchnorm-mismatch\.js completed/.test(t)), 'no "completed" toast while the panel shows the run');

    await wb.runCommand('View: Hide Panel');
    await wb.clearNotifications();
    await wb.page.waitForTimeout(500);
    await s.screenshot(path.join(SCREENSHOTS, 'e2e-panel.png'));
  });

  sc.step('2. the batchNormalization( line: hover with modes, the point, the numbers; Problems; CodeLens', async (s, wb) => {
    await wb.openFile(EXAMPLE);
    const hover = await wb.hoverText(BN_LINE, 'batchNormalization(', /inside gradient calls/);
    assert.match(hover, /batch_normalization/);
    assert.match(hover, /Mode: training \(the one recorded call\) inside gradient calls · inference ×2 outside \(predict, evaluate, apply\)/, `modes: ${hover}`);
    assert.match(hover, /BatchNorm normalises with batch statistics inside the gradient call: loss -7\.5% \(and 2 more findings in Problems\)/, `the worst finding's point: ${hover}`);
    assert.match(hover, /call #1: loss \d+\.\d+ inside, \d+\.\d+ in inference/);
    assert.match(hover, /this layer alone: all of the loss gap/, `attribution: ${hover}`);
    assert.match(hover, /momentum 0\.99/);
    assert.match(hover, /moving mean 0 → /);
    // The hover lists the Problems entry first; scroll it to the debugger's part for the screenshot.
    await wb.scrollHoverTo(/ · BatchNorm · behaves differently/);
    await s.screenshot(path.join(SCREENSHOTS, 'e2e-hover.png'));
    await wb.page.keyboard.press('Escape');
    await wb.page.mouse.move(5, 400);

    // CodeLens above the line.
    const lenses = await until('the CodeLens of the BatchNorm line', async () => {
      const l = await wb.codeLenses();
      return l.some((x) => /BatchNorm · training in gradient calls/.test(x.text)) ? l : null;
    }, 20_000);
    const lens = lenses.find((x) => /BatchNorm · training in gradient calls/.test(x.text));
    assert.ok(lens);
    assert.match(lens.text, /all of the loss gap/);
    const bnTop = await (await wb.editorLine(BN_LINE)).evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(lens.top < bnTop && bnTop - lens.top < 40, `the lens sits right above line ${BN_LINE} (lens ${lens.top}, line ${bnTop})`);
    assert.ok(!lenses.some((x) => /Conv2D/.test(x.text)), `no lens that says nothing above the conv2d line: ${JSON.stringify(lenses)}`);

    // Problems panel.
    const problems = await wb.problems();
    const row = problems.find((p) => /^(Warning: )?BatchNorm normalises with batch statistics inside the gradient call: loss -7\.5%/.test(p));
    assert.ok(row, `Problems lists the loss-gap finding: ${problems.join(' | ')}`);
    log(`Problems row: ${row}`);
    assert.match(row, new RegExp(`\\bline ${BN_LINE}\\b|\\[Ln ${BN_LINE}, Col`), `at line ${BN_LINE}: ${row}`);
    await wb.runCommand('View: Hide Panel');
  });

  sc.step('3. sidebar: run › calls with findings › gradient call › layers; a layer reveals its source line', async (s, wb) => {
    await wb.goToLine(1);
    await wb.openDebuggerSidebar();
    const run = wb.treeRow(/^batchnorm-mismatch\.js$/);
    await run.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await run.getAttribute('aria-label')) ?? (await run.textContent()) ?? '', /completed/);
    await wb.expandTreeRow(/^batchnorm-mismatch\.js$/);
    await wb.expandTreeRow(/^#1 variableGrads$/);
    let rows: Awaited<ReturnType<typeof wb.treeRows>> = [];
    const childrenOf = (label: string) => {
      const at = rows.findIndex((r) => r.label === label);
      if (at < 0) return [];
      const out: string[] = [];
      for (const r of rows.slice(at + 1)) {
        if (r.depth <= rows[at].depth) break;
        if (r.depth === rows[at].depth + 1) out.push(r.label);
      }
      return out;
    };
    const under = await until('the gradient call\'s layers in the tree', async () => {
      rows = await wb.treeRows();
      const labels = childrenOf('#1 variableGrads');
      return labels.some((l) => /^batch_normalization/.test(l)) && labels.some((l) => /^conv2d/.test(l)) ? labels : null;
    }, 10_000).catch(() => {
      throw new Error(`the call lists its layers: ${JSON.stringify(rows)}`);
    });
    // Gradient calls are grouped: the one call has the findings.
    assert.deepEqual(childrenOf('batchnorm-mismatch.js').filter((l) => /calls/i.test(l)), ['Calls with findings (1)'], 'one group of calls under the run');
    assert.deepEqual(childrenOf('Calls with findings (1)'), ['#1 variableGrads'], 'one gradient call in it');
    assert.equal(under.length, 2, `two layers ran in the call: ${under.join(', ')}`);

    const bnRow = wb.page.locator('.part.sidebar .monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^batch_normalization/ }) });
    // The one under the call (the Layers group is collapsed).
    await bnRow.last().click();
    await wb.waitForActiveEditor(EXAMPLE);
    const at = await until(`the cursor on line ${BN_LINE}`, async () => {
      const c = await wb.cursor();
      return c?.line === BN_LINE ? c : null;
    }, 10_000);
    assert.equal(at.line, BN_LINE);
    await s.screenshot(path.join(SCREENSHOTS, 'e2e-sidebar.png'));

    const convRow = wb.page.locator('.part.sidebar .monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^conv2d/ }) });
    await convRow.last().click();
    await until(`the cursor on line ${CONV_LINE}`, async () => (await wb.cursor())?.line === CONV_LINE, 10_000);
  });

  sc.step('7. reload the window: the panel and the hovers come back from the last run', async (s, wb) => {
    assert.ok(printed, 'scenario 1 recorded the losses');
    await wb.runCommand('TF.js Debugger: Show Panel');
    await wb.waitForPanelStatus('completed', 20_000);
    await wb.runCommand('Developer: Reload Window');
    await s.waitForWorkbench();
    // The panel is restored by its serializer, with the same run.
    await wb.waitForPanelStatus('completed', 60_000);
    const after = await wb.losses();
    assert.deepEqual(after, losses, 'the restored panel shows the same losses');
    const findings = await wb.findings();
    assert.ok(findings.some((f) => f.rule === 'loss-gap'));
    // The hover comes from the stored run.
    await wb.openFile(EXAMPLE);
    const hover = await wb.hoverText(BN_LINE, 'batchNormalization(', /inside gradient calls/, 30_000);
    assert.match(hover, /training \(the one recorded call\) inside gradient calls/);
    assert.match(hover, /all of the loss gap/);
  });
});
