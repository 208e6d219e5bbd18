// tfjs-debug page, as a user runs it: the script-tag example and the Vite example folder in headless Chromium,
// the page's console on the terminal, Ctrl-C, and every bad input with its message and exit code 2.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/protocol/report.ts';
import { BIN, lineOf, ROOT, runCli } from '../helpers/cli.ts';

const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';
const PAGE = ['--browser', BROWSER, '--headless', '--until-idle', '8'];
const SCRIPT_TAG = path.join(ROOT, 'examples', 'browser', 'script-tag', 'index.html');
const VITE_APP = path.join(ROOT, 'examples', 'browser', 'vite-app');
const TF_MIN = pathToFileURL(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js')).href;

const rules = (report: RunReport) => report.findings.map((f) => f.rule);

/** A page in a temp folder: tfjs by script tag, then `body` as an inline script. */
function tempPage(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tfjs-debug-page-')), 'index.html');
  writeFileSync(file, `<!doctype html><html><head><script src="${TF_MIN}"></script></head><body><script>${body}</script></body></html>`);
  return file;
}

describe('tfjs-debug page', () => {
  test('an .html file that loads tfjs by a script tag: the report, the page\'s console on stdout, exit 0', () => {
    const r = runCli(['page', SCRIPT_TAG, ...PAGE, '--fail-on', 'error']);
    assert.equal(r.code, 0, r.stderr);
    const report = r.report as RunReport;
    assert.equal(report.status, 'completed');
    assert.equal(report.target, pathToFileURL(SCRIPT_TAG).href);
    assert.equal(report.tfjs?.backend, 'webgl');
    assert.equal(report.gradientCallCount, 20);
    assert.ok(rules(report).includes('loss-gap'), String(rules(report)));
    assert.match(r.stdout, /^done on webgl: inference loss \d/m, 'the page\'s console.log reaches stdout');
    assert.match(r.stdout, /TF\.js Model Debugger · index\.html · completed/);
    assert.match(r.stderr, /debugging .*index\.html in .*chromium \(headless\)/);
  });

  test('a Vite app\'s folder: served by its own Vite with the plugin; calls located in its source files', () => {
    const r = runCli(['page', VITE_APP, ...PAGE, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const report = r.report as RunReport;
    assert.match(report.target, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const modelJs = path.join(VITE_APP, 'src', 'model.js');
    const call = report.gradientCalls[0];
    assert.equal(call.api, 'fit');
    assert.equal(call.source?.file, modelJs);
    const bn = report.layers.find((l) => l.className === 'BatchNormalization');
    assert.equal(bn?.source?.line, lineOf(modelJs, 'batchNormalization('));
    assert.match(r.stdout, /done on webgl/);
  });

  test('the plugin is the package\'s `tfjs-model-debugger/vite` export (what a vite.config imports)', async () => {
    const specifier: string = 'tfjs-model-debugger/vite'; // resolved by Node through package.json's exports
    const { tfjsDebugger } = (await import(specifier)) as { tfjsDebugger: () => { name: string; apply: string } };
    const plugin = tfjsDebugger();
    assert.equal(plugin.name, 'tfjs-debugger');
    assert.equal(plugin.apply, 'serve');
  });

  test('a page that never shows the debugger its tfjs: failed, with the three ways to attach, exit 2', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tfjs-debug-page-')), 'index.html');
    writeFileSync(file, '<!doctype html><p>no tfjs here</p><script>console.log("page up")</script>');
    const r = runCli(['page', file, ...PAGE.slice(0, 3), '--until-idle', '2']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.report?.status, 'failed');
    assert.match(r.report?.error?.message ?? '', /never showed the debugger its tfjs.*tfjsDebugger\(\).*__tfjsDebugger\?\.attach\(tf\)/s);
    assert.match(r.stdout, /page up/);
  });

  test('Ctrl-C while the page trains: the report is written, status cancelled, exit 130', async () => {
    const file = tempPage(`
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
      const xs = tf.ones([8, 2]), ys = tf.ones([8, 1]), opt = tf.train.sgd(0.01);
      (async () => { for (;;) { opt.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs))); console.log('step'); await tf.nextFrame(); } })();`);
    const json = path.join(path.dirname(file), 'report.json');
    const child = spawn(process.execPath, [BIN, 'page', file, ...PAGE, '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    // Interrupted once the page has trained (its console says so).
    await new Promise<void>((resolve) => child.stdout.on('data', () => { if (/step/.test(stdout)) resolve(); }));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 130);
    assert.ok(existsSync(json), 'the report was written');
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    assert.equal(report.status, 'cancelled');
    assert.ok(report.gradientCallCount > 0);
  });

  test('bad input: a clear message and exit 2, before any browser starts', () => {
    const cases: [string[], RegExp][] = [
      [['page', 'no-such-page.html', '--browser', BROWSER], /no-such-page\.html: no such page\. Give a URL .* or an \.html file/],
      [['page', path.join(ROOT, 'package.json'), '--browser', BROWSER], /not an \.html file/],
      [['page', path.join(ROOT, 'src'), '--browser', BROWSER], /is a folder but not a Vite app/],
      [['page', SCRIPT_TAG, '--browser', '/no/such/chrome'], /\/no\/such\/chrome: no such browser/],
      [['page', SCRIPT_TAG, '--data', 'x.json'], /--data goes with probe, not with page/],
      [['page', SCRIPT_TAG, '--backend', 'cpu'], /--backend goes with run and probe, not with page/],
      [['page', SCRIPT_TAG, '--backend-check', 'sometimes'], /--backend-check takes auto, always or off/],
      [['page', SCRIPT_TAG, '--until-idle', '0'], /--until-idle takes a number of at least 0\.1/],
      [['run', SCRIPT_TAG, '--headless'], /--headless goes with page, not with run/],
      [['page'], /Name the page to debug/],
      [['page', SCRIPT_TAG, 'extra'], /page takes one page and no script arguments/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, { json: false });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});
