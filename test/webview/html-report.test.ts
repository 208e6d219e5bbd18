// The offline HTML report (tfjs-debug --html) opens in headless Chromium with no console errors and no CSP
// violations, shows the findings, the three losses and the layer table, and renders hostile strings as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { writeHtmlReport } from '../../src/shell/html.ts';
import type { RunReport } from '../../src/protocol/report.ts';
import { ROOT, runCli } from '../helpers/cli.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('html-report');

let browser: Browser;
const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-html-'));

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => browser?.close());

async function open(file: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('#layer-table');
  return { page, problems };
}

test('the example report: findings, three losses and the layer table, no console errors', async () => {
  const file = path.join(dir, 'report.html');
  const r = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--html', file]);
  assert.equal(r.code, 0, r.stdout);
  const report = r.report as RunReport;
  const { page, problems } = await open(file);
  const call = report.gradientCalls[0];
  const text = await page.locator('body').innerText();
  assert.match(text, /loss-gap/);
  assert.equal(await page.locator('.finding-card[data-rule="loss-gap"]').count(), 1);
  for (const loss of [call.lossBefore, call.lossDuring, call.lossAfter]) {
    assert.ok(text.includes(Number((loss as number).toPrecision(6)).toString()), `loss ${loss} shown`);
  }
  assert.match(await page.locator('#layer-table').innerText(), /batch_normalization_BatchNormalization1[\s\S]*training/);
  await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'html-report.png'), fullPage: false });
  assert.deepEqual(problems, []);
  await page.close();
});

doc.test('hostile strings in a report are rendered as text', async () => {
  const good = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js')]).report as RunReport;
  const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';
  const report: RunReport = {
    ...good,
    target: `/tmp/${evil}.js`,
    // Hostile markup, a 100,000-character name, and text that is not valid UTF-16 (a lone surrogate).
    layers: good.layers.map((l) => ({ ...l, name: l.id === 1 ? `${evil}${l.id}` : `${'x'.repeat(100_000)}\uD800${l.id}`, className: `${evil}` })),
    findings: good.findings.map((f) => ({ ...f, message: `${evil} javascript:alert(3)`, fix: evil })),
    error: { message: evil, file: `/tmp/${evil}`, line: 1 },
  };
  const assets = { js: readFileSync(path.join(ROOT, 'dist', 'webview.js'), 'utf8'), css: readFileSync(path.join(ROOT, 'dist', 'webview.css'), 'utf8') };
  const file = path.join(dir, 'evil.html');
  writeFileSync(file, writeHtmlReport(report, assets));
  const { page, problems } = await open(file);
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator('body script').count(), 2, 'only the report data and the bundle');
  assert.match(await page.locator('body').innerText(), /<img src=x onerror=alert\(1\)>/);
  assert.deepEqual(problems, []);
  await page.close();
  return {
    tried: report.layers.length + report.findings.length + 2,
    result: 'markup and </script> in the target, layer names and classes, findings, fixes and the error; javascript: URLs; a 100,000-character ' +
      'name and a lone UTF-16 surrogate, written by writeHtmlReport: no <img>, only the two scripts of the report, the text shown as text, no console error',
    lost: 'nothing',
  };
}, { caseName: 'hostile strings in the HTML report (tfjs-debug --html)' });
