// Issue 6 (f): extension activation time, and proof that tfjs is not loaded in the extension host at activation.
//
// Without VS Code: each sample is a fresh Node process that loads the built dist/extension.js and calls
// activate() with a fake ExtensionContext. The `vscode` module does not exist outside VS Code, so for this
// bench only the child installs a minimal stand-in: Module._resolveFilename maps `vscode` to a fake file name
// whose require.cache entry holds the stub (real little classes for what the extension constructs, and
// namespaces that record each call and hand back disposables). Nothing in src/ or dist/ is changed.
// After activate() returns, the child lists every file in require.cache (with its size) and the built-in
// modules that were loaded, and checks that nothing under node_modules/@tensorflow was required and that
// tfjs's global engine (globalThis._tfengine) does not exist. A last control process loads
// @tensorflow/tfjs after activating, to show that the same check does catch tfjs, and what it would cost.
//
//   node --import tsx bench/activation.ts [--quick]      (after npm run build)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runAlone } from './section.ts';

const ROOT = path.resolve(__dirname, '..');

// Plain CommonJS, run with `node -e` so that nothing but Node itself is loaded before the extension.
const CHILD = String.raw`
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { root, loadTfjs } = JSON.parse(process.env.TFJS_BENCH_ACTIVATION);
const builtinsBefore = new Set(process.moduleLoadList);
const cacheBefore = new Set(Object.keys(require.cache));

// ---- the vscode stand-in (this bench only) ----
const calls = {};
const count = (name) => { calls[name] = (calls[name] || 0) + 1; };
class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...ds) { return new Disposable(() => ds.forEach((d) => d.dispose())); }
  dispose() { if (this.fn) this.fn(); this.fn = null; }
}
class EventEmitter {
  constructor() { this.listeners = new Set(); this.event = (fn) => { this.listeners.add(fn); return new Disposable(() => this.listeners.delete(fn)); }; }
  fire(e) { for (const fn of [...this.listeners]) fn(e); }
  dispose() { this.listeners.clear(); }
}
class Uri {
  constructor(scheme, p) { this.scheme = scheme; this.path = p; this.fsPath = p; }
  static file(p) { return new Uri('file', p); }
  static parse(s) { return new Uri(s.split(':')[0], s.replace(/^\w+:\/\//, '')); }
  static joinPath(u, ...parts) { return new Uri(u.scheme, path.join(u.path, ...parts)); }
  with() { return this; }
  toString() { return this.scheme + '://' + this.path; }
}
class Plain { constructor(...args) { this.args = args; } }
const named = (n) => ({ [n]: class extends Plain {} })[n];
/** Anything else: a callable that records its calls and returns something disposable-ish. */
function anything(name) {
  return new Proxy(function () {}, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === 'dispose') return () => {};
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === Symbol.iterator) return [][Symbol.iterator].bind([]);
      if (typeof prop === 'symbol') return undefined;
      return anything(name + '.' + prop);
    },
    apply() { count(name); return name.endsWith('executeCommand') ? Promise.resolve(undefined) : anything(name + '()'); },
    construct() { count('new ' + name); return anything(name + '#'); },
  });
}
function namespace(name, own) {
  return new Proxy(own, { get: (t, prop) => (prop in t ? t[prop] : typeof prop === 'symbol' ? undefined : anything(name + '.' + prop)) });
}
const event = (name) => () => { count(name); return new Disposable(); };
const recorded = (name, result) => (...args) => { count(name); return typeof result === 'function' ? result(...args) : result ?? new Disposable(); };
const vscode = namespace('vscode', {
  Disposable, EventEmitter, Uri,
  TreeItem: named('TreeItem'), ThemeIcon: named('ThemeIcon'), ThemeColor: named('ThemeColor'), Range: named('Range'),
  Position: named('Position'), Hover: named('Hover'), MarkdownString: named('MarkdownString'), CodeLens: named('CodeLens'),
  CodeAction: named('CodeAction'), Diagnostic: named('Diagnostic'), Location: named('Location'), Selection: named('Selection'),
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 }, ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 }, StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 }, CodeActionKind: { QuickFix: { value: 'quickfix' }, Empty: { value: '' } },
  env: anything('vscode.env'), extensions: anything('vscode.extensions'), l10n: anything('vscode.l10n'),
  window: namespace('window', {
    createOutputChannel: recorded('window.createOutputChannel', () => ({ append() {}, appendLine() {}, show() {}, clear() {}, dispose() {} })),
    createTreeView: recorded('window.createTreeView', () => ({ reveal: () => Promise.resolve(), onDidChangeVisibility: event('treeView.onDidChangeVisibility'), dispose() {} })),
    createStatusBarItem: recorded('window.createStatusBarItem', () => ({ show() {}, hide() {}, dispose() {} })),
    registerWebviewPanelSerializer: recorded('window.registerWebviewPanelSerializer'),
    registerTreeDataProvider: recorded('window.registerTreeDataProvider'),
    onDidChangeActiveTextEditor: event('window.onDidChangeActiveTextEditor'),
    onDidChangeVisibleTextEditors: event('window.onDidChangeVisibleTextEditors'),
    activeTextEditor: undefined, visibleTextEditors: [],
  }),
  workspace: namespace('workspace', {
    textDocuments: [], workspaceFolders: undefined, isTrusted: true,
    getConfiguration: recorded('workspace.getConfiguration', () => ({ get: () => undefined, has: () => false, inspect: () => undefined })),
    onDidOpenTextDocument: event('workspace.onDidOpenTextDocument'), onDidChangeTextDocument: event('workspace.onDidChangeTextDocument'),
    onDidCloseTextDocument: event('workspace.onDidCloseTextDocument'), onDidSaveTextDocument: event('workspace.onDidSaveTextDocument'),
    onDidChangeConfiguration: event('workspace.onDidChangeConfiguration'), onDidGrantWorkspaceTrust: event('workspace.onDidGrantWorkspaceTrust'),
  }),
  commands: namespace('commands', {
    registerCommand: recorded('commands.registerCommand'),
    executeCommand: recorded('commands.executeCommand', () => Promise.resolve(undefined)),
  }),
  languages: namespace('languages', {
    registerHoverProvider: recorded('languages.registerHoverProvider'),
    registerCodeLensProvider: recorded('languages.registerCodeLensProvider'),
    registerCodeActionsProvider: recorded('languages.registerCodeActionsProvider'),
    createDiagnosticCollection: recorded('languages.createDiagnosticCollection', () => ({ set() {}, delete() {}, clear() {}, dispose() {} })),
  }),
});
const STUB = path.join(root, '__bench_vscode_stub__.js');
const stubModule = new Module(STUB);
stubModule.filename = STUB;
stubModule.loaded = true;
stubModule.exports = vscode;
require.cache[STUB] = stubModule;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? STUB : resolve.call(this, request, ...rest); };

// ---- the fake ExtensionContext ----
const memento = () => { const m = new Map(); return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: (k, v) => { m.set(k, v); return Promise.resolve(); }, keys: () => [...m.keys()] }; };
const context = {
  subscriptions: [], workspaceState: memento(), globalState: Object.assign(memento(), { setKeysForSync() {} }),
  extensionPath: root, extensionUri: Uri.file(root), asAbsolutePath: (p) => path.join(root, p),
  storageUri: undefined, globalStorageUri: Uri.file('/nonexistent'), logUri: Uri.file('/nonexistent'), extensionMode: 1,
  extension: { id: 'tfjs-model-debugger.tfjs-model-debugger', extensionPath: root, packageJSON: {} },
};

// ---- timed: load the bundle, activate ----
const t0 = performance.now();
const ext = require(path.join(root, 'dist', 'extension.js'));
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();

let tfjs = null;
if (loadTfjs) {
  const t = performance.now();
  require(require.resolve('@tensorflow/tfjs', { paths: [root] }));
  tfjs = { ms: performance.now() - t };
}

const isTf = (f) => /[\\/]node_modules[\\/]@tensorflow[\\/]/.test(f);
const files = Object.keys(require.cache).filter((f) => !cacheBefore.has(f) && f !== STUB)
  .map((f) => ({ file: path.relative(root, f), bytes: fs.existsSync(f) ? fs.statSync(f).size : 0, tf: isTf(f) }));
process.stdout.write('\n' + JSON.stringify({
  requireMs: t1 - t0, activateMs: t2 - t1,
  files, builtins: process.moduleLoadList.filter((m) => !builtinsBefore.has(m) && m.startsWith('NativeModule ') && !m.startsWith('NativeModule internal/')).map((m) => m.slice(13)),
  tfGlobal: typeof globalThis._tfengine !== 'undefined',
  subscriptions: context.subscriptions.length, calls, tfjs,
}) + '\n');
`;

interface Sample {
  requireMs: number;
  activateMs: number;
  files: { file: string; bytes: number; tf: boolean }[];
  builtins: string[];
  tfGlobal: boolean;
  subscriptions: number;
  calls: Record<string, number>;
  tfjs: { ms: number } | null;
}

function sample(loadTfjs = false): Sample {
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '', TFJS_BENCH_ACTIVATION: JSON.stringify({ root: ROOT, loadTfjs }) },
  });
  if (r.status !== 0) {
    // The minified bundle's source line can be huge: keep the error and the stack only.
    const err = (r.stderr ?? '').split('\n').filter((l) => l.length < 400).join('\n');
    throw new Error(`the activation process failed (exit ${r.status ?? r.signal}):\n${err}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Sample;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

const ms = (x: number) => x.toFixed(1);
const kb = (b: number) => (b / 1024).toFixed(1);

export async function run(opts: { quick: boolean }): Promise<{ title: string; markdown: string; summary: string }> {
  if (!existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build');
  const n = opts.quick ? 3 : 9;
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) samples.push(sample());
  const control = sample(true);

  const tfLoaded = samples.flatMap((s) => s.files.filter((f) => f.tf).map((f) => f.file));
  const tfGlobal = samples.some((s) => s.tfGlobal);
  if (tfLoaded.length || tfGlobal) {
    throw new Error(`tfjs was loaded at activation: ${tfGlobal ? 'globalThis._tfengine exists; ' : ''}${[...new Set(tfLoaded)].join(', ')}`);
  }
  const controlTf = control.files.filter((f) => f.tf);
  if (!controlTf.length || !control.tfGlobal) throw new Error('the control process loaded tfjs but the check did not see it');

  const first = samples[0];
  const req = samples.map((s) => s.requireMs);
  const act = samples.map((s) => s.activateMs);
  const tot = samples.map((s) => s.requireMs + s.activateMs);
  const row = (label: string, xs: number[]) => `| ${label} | ${ms(quantile(xs, 0.5))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`;
  const fileList = first.files.map((f) => `\`${f.file}\` (${kb(f.bytes)} KB)`).join(', ');
  const totalBytes = first.files.reduce((s, f) => s + f.bytes, 0);
  const registered = Object.entries(first.calls).filter(([k]) => /^(commands\.registerCommand|languages\.register|window\.(register|create)|languages\.create)/.test(k))
    .map(([k, v]) => `${k} ×${v}`).join(', ');
  const controlBytes = controlTf.reduce((s, f) => s + f.bytes, 0);

  const markdown = [
    `Each sample is a fresh Node ${process.version} process that requires the built \`dist/extension.js\` and calls \`activate()\` with a fake ExtensionContext; ` +
    'the `vscode` module is a stand-in installed for this bench only (through `Module._resolveFilename` and `require.cache`), so VS Code\'s own API cost is not included. ' +
    `Median of ${n} processes.`,
    '',
    '| step | median ms | min ms | max ms |',
    '| --- | ---: | ---: | ---: |',
    row('require dist/extension.js', req),
    row('activate()', act),
    row('total', tot),
    '',
    `Modules loaded by activation: ${first.files.length} file${first.files.length === 1 ? '' : 's'}, ${kb(totalBytes)} KB (${fileList}), ` +
    `and the public Node built-ins ${first.builtins.length ? first.builtins.map((b) => `\`${b}\``).join(', ') : '(none new)'}. ` +
    `Modules under \`node_modules/@tensorflow\` in require.cache after activation: **0** in all ${n} processes, and \`globalThis._tfengine\` is undefined. ` +
    `Activation registered: ${registered}; ${first.subscriptions} disposables in context.subscriptions.`,
    '',
    `Control: the same process with \`require('@tensorflow/tfjs')\` after activation is caught by the same check: ${controlTf.length} tfjs files ` +
    `(${kb(controlBytes)} KB) and the global engine appear, and loading them takes ${ms(control.tfjs?.ms ?? NaN)} ms, ` +
    `${((control.tfjs?.ms ?? 0) / quantile(tot, 0.5)).toFixed(0)}× the whole activation.`,
  ].join('\n');
  const summary = `activation: ${ms(quantile(tot, 0.5))} ms median (require ${ms(quantile(req, 0.5))} + activate ${ms(quantile(act, 0.5))}) over ${n} processes; ` +
    `${first.files.length} file(s), ${kb(totalBytes)} KB loaded; 0 tfjs modules (control: tfjs would add ${ms(control.tfjs?.ms ?? NaN)} ms, ${controlTf.length} files)`;
  return { title: 'Extension activation', markdown, summary };
}

if (require.main === module) runAlone(run);
