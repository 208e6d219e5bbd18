// Issue 17 in VS Code, and launch configurations: "Debug Training Page…" on a page fixture that loads tfjs by a
// script tag (picked from the workspace's pages), and on the Vite example's folder (its dev server started for
// the run), in headless Chromium: the page's console in the TF.js Debugger
// terminal, its findings in the panel; then F5-style runs from launch.json ("Debug: Select and Start Debugging"):
// a "tfjs-debug" configuration with `program`, and one with `url`.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { log, ROOT } from './harness.ts';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';

const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';
const SCRIPT_TAG = path.join(ROOT, 'examples', 'browser', 'script-tag');
const VITE_APP = path.join(ROOT, 'examples', 'browser', 'vite-app');

/** The script-tag example as a page of the workspace, with tfjs beside it (the workspace has no node_modules). */
function addPage(workspace: string): void {
  const dir = path.join(workspace, 'page');
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js'), path.join(dir, 'tf.min.js'));
  copyFileSync(path.join(SCRIPT_TAG, 'train.js'), path.join(dir, 'train.js'));
  const html = readFileSync(path.join(SCRIPT_TAG, 'index.html'), 'utf8').replace(/src="[^"]*tf\.min\.js"/, 'src="tf.min.js"');
  assert.match(html, /src="tf\.min\.js"/);
  writeFileSync(path.join(dir, 'index.html'), html);
}

/** The Vite example as an app of the workspace, without its caches; its vite and tfjs are the project's (one
 *  node_modules above the app, where Node's resolution and Vite's look). */
function addViteApp(workspace: string): void {
  const app = path.join(workspace, 'vite-app');
  for (const entry of ['index.html', 'package.json', 'vite.config.mjs', 'src']) cpSync(path.join(VITE_APP, entry), path.join(app, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(workspace, 'node_modules'), 'dir');
}

describe('training pages and launch configurations', () => {
  // The page may send nothing for a while (webgl shaders compile on a software GPU, on a busy machine): the run
  // ends after 20 s of silence, so that it does not end between the page's first layers and its first step.
  const sc = scenario({
    name: 'page',
    settings: { 'tfjsDebugger.browserPath': BROWSER, 'tfjsDebugger.page.headless': true, 'tfjsDebugger.page.idleSeconds': 20 },
  });

  sc.step('Debug Training Page…: the workspace\'s page from the picker; its console in the terminal, its findings in the panel', async (s, wb) => {
    addPage(s.workspace);
    await wb.runCommand('TF.js Debugger: Debug Training Page…');
    const rows = await until('the page in the picker', async () => {
      const labels = await wb.quickPickLabels();
      return labels.some((l) => /index\.html/.test(l)) ? labels : null;
    }, 30_000, 500);
    log(`picker: ${rows.join(' | ')}`);
    assert.ok(rows.some((l) => /Enter a URL/.test(l)), 'a URL can be typed');
    await wb.acceptQuickPick(/index\.html/);
    await wb.waitForPanelStatus('completed', 180_000);
    const findings = await wb.findings();
    assert.ok(findings.some((f) => f.rule === 'loss-gap'), `loss-gap on the page: ${findings.map((f) => f.rule)}`);
    const loss = findings.find((f) => f.rule === 'loss-gap');
    assert.match(loss?.text ?? '', /train\.js:\d+/, 'the finding points into the page\'s script');
    await wb.runCommand('TF.js Debugger: Show Script Output');
    const text = await until('the page\'s console in the terminal', async () => {
      const t = await wb.terminalText();
      return /done on webgl: inference loss \d/.test(t) && /index\.html \(page\): completed after/.test(t) ? t : null;
    }, 30_000, 500);
    log(`terminal:\n${text}`);
  });

  sc.step('Debug Training Page…: a Vite app\'s folder from the picker; its dev server runs for the run, findings at its source lines', async (s, wb) => {
    addViteApp(s.workspace);
    await wb.runCommand('TF.js Debugger: Debug Training Page…');
    await until('the Vite app in the picker', async () => (await wb.quickPickLabels()).some((l) => /vite-app/.test(l)), 30_000, 500);
    await wb.acceptQuickPick(/vite-app/);
    // The panel names the page the run loaded: the dev server's URL.
    await until('the app\'s run in the panel', async () => /http:\/\/127\.0\.0\.1:\d+/.test((await wb.panelText('#run-header')) ?? ''), 60_000, 500);
    await wb.waitForPanelStatus('completed', 180_000);
    const loss = (await wb.findings()).find((f) => f.rule === 'loss-gap');
    assert.match(loss?.text ?? '', /model\.js:\d+/, `the finding points into the app's source: ${loss?.text}`);
    await wb.runCommand('TF.js Debugger: Show Script Output');
    const text = await until('the dev server and the page\'s console in the terminal', async () => {
      const t = await wb.terminalText();
      return /Vite dev server at http:\/\/127\.0\.0\.1:\d+/.test(t) && /done on webgl/.test(t) ? t : null;
    }, 30_000, 500);
    log(`terminal:\n${text.slice(-1500)}`);
    // The dev server went with the run.
    const url = /Vite dev server at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1] ?? '';
    await until('the dev server to close', async () => fetch(url).then(() => false, () => true), 15_000, 500);
  });

  sc.step('launch.json: a "tfjs-debug" configuration with program runs the script; one with url debugs the page', async (s, wb) => {
    mkdirSync(path.join(s.workspace, '.vscode'), { recursive: true });
    writeFileSync(path.join(s.workspace, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [
        { type: 'tfjs-debug', request: 'launch', name: 'BatchNorm script', program: '${workspaceFolder}/batchnorm-mismatch.js', env: { SEED: '6' }, probeEvery: 1 },
        { type: 'tfjs-debug', request: 'launch', name: 'Training page', url: '${workspaceFolder}/page/index.html' },
      ],
    }, null, 2));
    // VS Code reads a launch.json written from outside on its file watcher: until it has, the pick lacks the
    // configurations, so the pick is opened again (each attempt waits 10 s for the row).
    for (let attempt = 0; ; attempt++) {
      await wb.runCommand('Debug: Select and Start Debugging');
      try {
        await wb.acceptQuickPick(/^BatchNorm script/, 10_000);
        break;
      } catch (e) {
        if (attempt === 2) throw e;
        await wb.page.keyboard.press('Escape');
      }
    }
    await until('the script\'s run in the panel', async () => /batchnorm-mismatch\.js/.test((await wb.panelText('#run-header')) ?? ''), 60_000, 500);
    await wb.waitForPanelStatus('completed', 120_000);
    assert.ok((await wb.findings()).some((f) => f.rule === 'loss-gap'));
    // The debug session ends with the run: the debug toolbar goes.
    await until('the debug session to end', async () => !(await wb.page.locator('.debug-toolbar').first().isVisible().catch(() => false)), 30_000, 500);

    await wb.runCommand('Debug: Select and Start Debugging');
    await wb.acceptQuickPick(/^Training page/, 30_000);
    await until('the page\'s run in the panel', async () => /index\.html/.test((await wb.panelText('#run-header')) ?? ''), 60_000, 500);
    await wb.waitForPanelStatus('completed', 180_000);
    assert.ok((await wb.findings()).some((f) => f.rule === 'loss-gap'));
  });
});
