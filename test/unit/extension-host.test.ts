// Host logic without VS Code: event batching (≤ 20 messages a second), the output cap, webview message and
// command argument checks, settings → launch options, the Workspace Trust rule, the panel's HTML and CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Batcher, type BatcherTimers } from '../../src/extension/logic/batcher.ts';
import { acceptWebviewMessage, parseExportArgs, parseExportFormat, parseShowLayerArgs, parseSourceArg } from '../../src/extension/logic/messages.ts';
import { DEFAULT_OUTPUT_CAP, OutputLimiter } from '../../src/extension/logic/outputLimiter.ts';
import { DEFAULT_SETTINGS, launchOptionsFor, readSettings, SETTING_KEYS, trustRefusal, type DebuggerSettings } from '../../src/extension/logic/settings.ts';
import { Throttle } from '../../src/extension/logic/throttle.ts';
import { makeNonce, webviewHtml } from '../../src/shell/html.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('host');

/** A fake clock: timers fire when time is advanced past them. */
class FakeTimers implements BatcherTimers {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
    this.time = end;
  }
}

test('batcher: a steady stream of events goes out in at most 20 batches a second, in order, none lost', () => {
  const timers = new FakeTimers();
  const batches: { at: number; items: number[] }[] = [];
  const b = new Batcher<number>((items) => batches.push({ at: timers.time, items }), 50, timers);
  let n = 0;
  for (let ms = 0; ms < 1000; ms++) {
    b.push(n++, n++); // 2000 events over one second
    timers.advance(1);
  }
  timers.advance(100);
  assert.ok(batches.length <= 21, `${batches.length} batches`);
  assert.ok(batches.length >= 15, 'and not fewer than needed: latency stays ~50 ms');
  for (let i = 1; i < batches.length; i++) assert.ok(batches[i].at - batches[i - 1].at >= 50, 'at least 50 ms apart');
  assert.deepEqual(batches.flatMap((x) => x.items), Array.from({ length: 2000 }, (_, i) => i));
});

test('batcher: the first event after a quiet time goes out at once; flush and discard; nothing after dispose', () => {
  const timers = new FakeTimers();
  const batches: string[][] = [];
  const b = new Batcher<string>((items) => batches.push(items), 50, timers);
  b.push('a');
  timers.advance(0);
  assert.deepEqual(batches, [['a']]);
  b.push('b');
  b.flush();
  assert.deepEqual(batches.at(-1), ['b'], 'flush hands over at once (before a message that must follow)');
  b.push('c');
  b.discard();
  timers.advance(100);
  assert.equal(batches.length, 2, 'discarded: the receiver got a snapshot that holds it');
  b.dispose();
  b.push('d');
  timers.advance(100);
  assert.equal(batches.length, 2);
});

test('throttle: many requests, one run per interval, the last one always runs', () => {
  const timers = new FakeTimers();
  let runs = 0;
  const t = new Throttle(() => runs++, 500, timers);
  for (let i = 0; i < 100; i++) {
    t.request();
    timers.advance(10);
  }
  timers.advance(1000);
  assert.ok(runs >= 2 && runs <= 4, `${runs}`);
});

doc.test('output cap: 100 MB of script output writes 2 MB and one truncation notice', () => {
  const limiter = new OutputLimiter();
  const chunk = 'x'.repeat(64 * 1024 - 1) + '\n';
  let written = 0;
  let notices = 0;
  for (let i = 0; i < (100 * 1024 * 1024) / chunk.length; i++) {
    const out = limiter.take(chunk);
    written += out.length;
    if (out.includes('output truncated')) notices++;
  }
  assert.equal(notices, 1);
  assert.ok(written <= DEFAULT_OUTPUT_CAP + 200, `${written}`);
  assert.ok(written >= DEFAULT_OUTPUT_CAP);
  assert.ok(limiter.isTruncated);
  const small = new OutputLimiter(10);
  assert.equal(small.take('12345'), '12345');
  assert.match(small.take('67890abc'), /^67890\n\.\.\. output truncated/);
  assert.equal(small.take('more'), '');
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(2)} MB`;
  return { tried: 1, result: `100 MB in 64 KB chunks: ${mb(written)} written to the output channel, ${notices} truncation notice`, lost: 'the output past the cap, by design and said so; the run is unaffected' };
}, { caseName: '100 MB to stdout, through the output channel cap' });

doc.test('webview messages: protocol messages pass; anything else is ignored and logged (without echoing large input)', () => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  assert.deepEqual(acceptWebviewMessage({ type: 'ready' }, log), { type: 'ready' });
  assert.deepEqual(acceptWebviewMessage({ type: 'command', command: 'rerun' }, log), { type: 'command', command: 'rerun' });
  assert.ok(acceptWebviewMessage({ type: 'reveal-source', source: { file: '/a.js', line: 3, column: 1 } }, log));
  assert.ok(acceptWebviewMessage({ type: 'select-layer', layer: 2 }, log));
  assert.equal(logs.length, 0);
  const bad = [
    null, 'ready', 42, {}, { type: 'eval', code: 'x' }, { type: 'command', command: 'workbench.action.terminal.new' },
    { type: 'select-layer', layer: '1' }, { type: 'select-layer', layer: 0 }, { type: 'select-layer', layer: 1.5 },
    { type: 'reveal-source', source: { file: '', line: 1, column: 1 } }, { type: 'reveal-source', source: { file: '/a', line: 0, column: 1 } },
    { type: 'reveal-source', source: { file: 'x'.repeat(5000), line: 1, column: 1 } }, { type: 'reveal-source' },
  ];
  for (const m of bad) assert.equal(acceptWebviewMessage(m, log), null, JSON.stringify(m)?.slice(0, 60));
  assert.equal(logs.length, bad.length);
  assert.ok(logs.every((l) => l.startsWith('Ignored an invalid message') && l.length < 300));
  const circular: Record<string, unknown> = { type: 'x' };
  circular.self = circular;
  assert.equal(acceptWebviewMessage(circular, log), null);
  return { tried: bad.length + 5, result: `4 protocol messages accepted; ${bad.length + 1} malformed or unknown ignored, ${logs.length} logged (each < 300 chars)`, lost: 'nothing: the panel keeps working' };
}, { caseName: 'webview messages validated against the protocol types' });

doc.test('command arguments: showLayer, revealSource and export take only well-formed values', () => {
  assert.deepEqual(parseShowLayerArgs({ runId: 'run-abc-1', layer: 3 }), { runId: 'run-abc-1', layer: 3 });
  assert.deepEqual(parseShowLayerArgs({ kind: 'layer', id: 'run-1/layers/2', runId: 'run-1', layer: 2, call: null, source: null }), { runId: 'run-1', layer: 2 });
  for (const bad of [undefined, null, 'x', { layer: 3 }, { runId: 'r', layer: -1 }, { runId: 'r', layer: '3' }, { runId: '../../etc', layer: 1 }, { runId: 'r'.repeat(200), layer: 1 }]) {
    assert.equal(parseShowLayerArgs(bad), null, JSON.stringify(bad));
  }
  assert.deepEqual(parseSourceArg({ file: '/a.js', line: 2, column: 5 }), { file: '/a.js', line: 2, column: 5 });
  assert.deepEqual(parseSourceArg({ kind: 'layer', source: { file: '/a.js', line: 2, column: 5 } }), { file: '/a.js', line: 2, column: 5 });
  for (const bad of [null, { file: '/a.js', line: 0, column: 1 }, { source: null }, { file: 3, line: 1, column: 1 }]) assert.equal(parseSourceArg(bad), null);
  assert.equal(parseExportFormat('html'), 'html');
  assert.equal(parseExportFormat('pdf'), null);
  return { tried: 20, result: 'well-formed arguments parsed; 8 bad showLayer and 4 bad revealSource arguments refused', lost: 'nothing' };
}, { caseName: 'command arguments (hover links, tree items, other extensions) validated' });

doc.test('export arguments: a format may be passed, a path never: the report goes only where the save dialog says', () => {
  assert.deepEqual(parseExportArgs([]), { format: null, refused: null });
  assert.deepEqual(parseExportArgs(['json']), { format: 'json', refused: null });
  assert.deepEqual(parseExportArgs(['html', undefined]), { format: 'html', refused: null });
  const paths: unknown[][] = [
    ['json', '/home/user/.bashrc'], ['html', { scheme: 'file', path: '/etc/cron.d/x' }], ['/tmp/report.json'], [undefined, '/tmp/x.html'],
    ['json', '../../outside.json'], ['pdf'], ['json', 'x'.repeat(10_000)],
  ];
  for (const args of paths) {
    const r = parseExportArgs(args);
    assert.ok(r.refused, JSON.stringify(args).slice(0, 80));
    assert.match(r.refused, /written only where the save dialog says/);
    assert.ok(r.refused.length < 400, 'the log does not echo large input');
  }
  assert.equal(parseExportArgs(['json', '/home/user/.bashrc']).format, 'json', 'the format still applies; the path does not');
  // The command itself takes no other input: its handler reads the file only from showSaveDialog.
  const source = readFileSync(path.join(__dirname, '..', '..', 'src', 'extension', 'commands', 'exportReport.ts'), 'utf8');
  const handler = source.slice(source.indexOf('const exportReport'), source.indexOf('const clearResults'));
  assert.match(handler, /const uri = await vscode\.window\.showSaveDialog\(/);
  assert.equal((handler.match(/writeFile\(/g) ?? []).length, 1);
  assert.match(handler, /writeFile\(uri,/);
  return { tried: paths.length, result: `${paths.length} argument lists with a path, a Uri-like object or junk: every one refused and logged; the format alone is kept`, lost: 'nothing written anywhere but the file chosen in the dialog' };
}, { caseName: 'Export Report with a path argument (not from the save dialog)' });

test('settings: defaults, out-of-range values fall back, and they reach the launch options', () => {
  assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
  const values: Record<string, unknown> = {
    probeEvery: 5, probeBudget: 0, attribution: 'always', lossGapTolerance: 0.01, timeoutSeconds: 30, historySize: 200, nodePath: ' /opt/node ', memoryLimitMB: 8192,
  };
  const s = readSettings((k) => values[k]);
  const { memoryLimitMB, ...sameNames } = values;
  assert.deepEqual(s, { ...DEFAULT_SETTINGS, ...sameNames, nodePath: '/opt/node', memoryLimitMb: memoryLimitMB } as DebuggerSettings);
  // The page and output settings, by their names under tfjsDebugger.
  const more: Record<string, unknown> = { scriptOutput: 'outputChannel', browserPath: ' /usr/bin/chromium ', 'page.headless': true, 'page.idleSeconds': 30 };
  assert.deepEqual(readSettings((k) => more[k]), { ...DEFAULT_SETTINGS, scriptOutput: 'outputChannel', pageBrowser: '/usr/bin/chromium', pageHeadless: true, pageIdleSeconds: 30 });
  const bad: Record<string, unknown> = { probeEvery: -1, probeBudget: 1.5, attribution: 'sometimes', lossGapTolerance: 'x', timeoutSeconds: 1.5, historySize: 1, nodePath: 7, memoryLimitMB: 1 };
  assert.deepEqual(readSettings((k) => bad[k]), DEFAULT_SETTINGS);

  const host = { execPath: '/vscode/code', env: { PATH: '/bin' }, distDir: '/ext/dist' };
  const script = launchOptionsFor({ kind: 'script', target: '/w/train.ts', args: ['--epochs', '2'], cwd: '/w' }, DEFAULT_SETTINGS, host);
  assert.equal(script.kind, 'script');
  assert.equal(script.script, '/w/train.ts');
  assert.deepEqual(script.args, ['--epochs', '2']);
  assert.equal(script.execPath, '/vscode/code');
  assert.equal(script.env?.ELECTRON_RUN_AS_NODE, '1', 'VS Code\'s own binary runs as Node');
  assert.equal(script.env?.PATH, '/bin');
  assert.equal(script.stdio, 'pipe');
  assert.equal(script.distDir, '/ext/dist');
  assert.equal(script.timeoutMs, 0);
  assert.equal(script.memoryLimitMb, 4096);
  assert.deepEqual(script.options, { probeEvery: 10, probeBudget: 0.03, historySize: 1000, lossGapTolerance: 1e-4, attribution: 'auto' });
  assert.equal(script.dataFile, undefined);

  const probe = launchOptionsFor({ kind: 'probe', target: '/w/model/model.json', args: [], cwd: '/w/model', dataFile: '/w/data.json' }, s, host);
  assert.equal(probe.kind, 'probe');
  assert.equal(probe.dataFile, '/w/data.json');
  assert.equal(probe.execPath, '/opt/node', 'nodePath overrides');
  assert.equal(probe.env?.ELECTRON_RUN_AS_NODE, undefined);
  assert.equal(probe.timeoutMs, 30_000);
  assert.deepEqual(probe.options, { probeEvery: 5, probeBudget: 0, historySize: 200, lossGapTolerance: 0.01, attribution: 'always' });
});

doc.test('Workspace Trust: probes run anywhere; scripts only in a trusted workspace, with the reason', () => {
  assert.equal(trustRefusal('probe', false), null);
  assert.equal(trustRefusal('script', true), null);
  assert.equal(trustRefusal('probe', true), null);
  assert.match(trustRefusal('script', false) ?? '', /not trusted.*Probing a saved model .* still works/s);
  return { tried: 4, result: 'untrusted: scripts refused with the reason, probes allowed; trusted: both allowed', lost: 'nothing: no user code runs untrusted' };
}, { caseName: 'Workspace Trust rule (host logic)' });

doc.test('panel HTML: strict CSP with a fresh nonce on the one script; assets from the webview\'s own source', () => {
  const assets = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', script: 'https://x/dist/webview.js', style: 'https://x/dist/webview.css', codicons: 'https://x/media/codicon.css' };
  const a = webviewHtml(assets);
  const b = webviewHtml(assets);
  const nonce = (html: string) => /script-src 'nonce-([^']+)'/.exec(html)?.[1];
  assert.ok(nonce(a) && nonce(b) && nonce(a) !== nonce(b), 'fresh nonce per render');
  assert.ok(a.includes(`<script nonce="${nonce(a)}" src="https://x/dist/webview.js"></script>`));
  // No 'unsafe-inline' for styles: the bundle needs none (the webview tests load this very page in Chromium and
  // fail on any CSP violation).
  assert.ok(a.includes(`content="default-src 'none'; img-src ${assets.cspSource} data:; style-src ${assets.cspSource}; font-src ${assets.cspSource}; script-src 'nonce-${nonce(a)}'"`));
  assert.ok(!a.includes('unsafe-inline'));
  assert.ok(a.includes('<div id="tfjs-debugger-root"></div>'));
  assert.ok(a.includes('href="https://x/media/codicon.css"'));
  assert.equal((a.match(/<script/g) ?? []).length, 1);
  assert.ok(!webviewHtml({ ...assets, codicons: undefined }).includes('codicon'));
  assert.match(makeNonce(), /^[A-Za-z0-9_-]{24}$/);
  assert.ok(!/\son[a-z]+=/i.test(a), 'no inline event handlers');
  return { tried: 2, result: "CSP default-src 'none', one script with a fresh nonce per render, no inline handlers", lost: 'nothing' };
}, { caseName: 'panel HTML: CSP and nonce' });

test('manifest: every command the code runs is contributed; menus, walkthrough media and activation hold together', async () => {
  const { existsSync } = await import('node:fs');
  const { COMMANDS, HOVER_COMMANDS } = await import('../../src/extension/logic/presentation.ts');
  const root = path.resolve(__dirname, '..', '..');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const contributed = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  for (const id of Object.values(COMMANDS)) assert.ok(contributed.has(id), `${id} contributed`);
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'TF.js Debugger');
  for (const id of HOVER_COMMANDS) assert.ok(contributed.has(id));
  for (const [menu, items] of Object.entries(pkg.contributes.menus) as [string, { command: string }[]][]) {
    for (const item of items) assert.ok(contributed.has(item.command), `${menu}: ${item.command}`);
  }
  const welcome = pkg.contributes.viewsWelcome.map((w: { contents: string }) => w.contents).join('\n');
  for (const m of welcome.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(contributed.has(m[1]) || m[1] === 'workbench.trust.manage', m[1]);
  const steps = pkg.contributes.walkthroughs[0].steps;
  assert.equal(steps.length, 3);
  for (const s of steps) assert.ok(existsSync(path.join(root, s.media.markdown)), s.media.markdown);
  assert.ok(existsSync(path.join(root, pkg.icon)));
  assert.ok(existsSync(path.join(root, pkg.contributes.viewsContainers.activitybar[0].icon)));
  assert.equal(pkg.main, './dist/extension.js');
  // Cheap activation: commands and the view imply their own; the languages are there so that hovers, CodeLens
  // and diagnostics restore from the last run after a reload. Never on startup.
  // F5 resolves "tfjs-debug" launch configurations.
  assert.deepEqual(pkg.activationEvents, ['onLanguage:javascript', 'onLanguage:json', 'onLanguage:typescript', 'onWebviewPanel:tfjsDebugger.panel', 'onDebugResolve:tfjs-debug', 'onDebugDynamicConfigurations:tfjs-debug']);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  for (const [field, key] of Object.entries(SETTING_KEYS)) {
    const setting = pkg.contributes.configuration.properties[`tfjsDebugger.${key}`];
    assert.ok(setting && (setting.description || setting.markdownDescription), key);
    assert.deepEqual(setting.default, DEFAULT_SETTINGS[field as keyof DebuggerSettings], `${key} default`);
  }
});
