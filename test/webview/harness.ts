// Serves the real built panel (dist/webview.js, dist/webview.css, media/codicon.*) to headless Chromium
// in a page that mimics a VS Code webview: strict CSP with a script nonce, theme variables on <html> and
// the theme class on <body>, and a stub acquireVsCodeApi that records posted messages and keeps
// get/setState in sessionStorage (so it survives a reload, as VS Code's state does).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/webviewMessages.ts';
import { THEMES, type Theme } from './themes.ts';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ORIGIN = 'https://webview.test';
const NONCE = 'XYZ';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

/** The VS Code-like page: CSP, codicon link (id as VS Code extensions use it), stylesheet, stub, bundle. */
export function vscodePageHtml(theme: Theme): string {
  const csp = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src ${ORIGIN}; font-src ${ORIGIN}; img-src ${ORIGIN} data:`;
  const vars = JSON.stringify(theme.vars);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<script nonce="${NONCE}">
(() => {
  const t = window.__tfd = { posted: [], violations: [], setStateCalls: 0 };
  document.addEventListener('securitypolicyviolation', (e) => t.violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => { t.posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => { const s = sessionStorage.getItem('vscode-state'); return s ? JSON.parse(s) : undefined; },
      setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); t.setStateCalls++; return s; },
    });
  };
  for (const [k, v] of Object.entries(${vars})) document.documentElement.style.setProperty(k, v);
})();
</script>
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${ORIGIN}/media/codicon.css">
<link rel="stylesheet" href="${ORIGIN}/dist/webview.css">
<title>TF.js Model Debugger</title>
</head>
<body>
<script nonce="${NONCE}">document.body.classList.add(${JSON.stringify(theme.bodyClass)}); document.body.dataset.vscodeThemeKind = ${JSON.stringify(theme.kind)};</script>
<script nonce="${NONCE}" src="${ORIGIN}/dist/webview.js"></script>
</body>
</html>`;
}

/** The standalone HTML report, written as main.ts's contract says the CLI's writer does. */
export function standaloneHtml(reportJson: string): string {
  const css = readFileSync(path.join(ROOT, 'dist', 'webview.css'), 'utf8');
  const js = readFileSync(path.join(ROOT, 'dist', 'webview.js'), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\//g, '<\\/');
  const json = reportJson.replace(/</g, '\\u003c');
  const n = 'STANDALONE1';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}'">
<title>TF.js Model Debugger report</title>
<style nonce="${n}">${css}</style>
</head>
<body>
<script type="application/json" id="tfjs-debugger-report">${json}</script>
<div id="tfjs-debugger-root"></div>
<script nonce="${n}">${js}</script>
</body>
</html>`;
}

export interface Panel {
  page: Page;
  context: BrowserContext;
  /** Console errors and warnings, page errors, CSP violations (console and event), dialogs. */
  problems: { errors: string[]; warnings: string[]; dialogs: string[] };
  post(message: HostToWebview): Promise<void>;
  posted(): Promise<WebviewToHost[]>;
  violations(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openPanel(browser: Browser, opts: { theme?: Theme['name']; html?: string; width?: number; height?: number } = {}): Promise<Panel> {
  for (const f of ['dist/webview.js', 'dist/webview.css', 'media/codicon.css', 'media/codicon.ttf']) {
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build`);
  }
  const theme = THEMES[opts.theme ?? 'dark'];
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 900 }, colorScheme: theme.name === 'light' ? 'light' : 'dark' });
  const html = opts.html ?? vscodePageHtml(theme);
  await context.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/panel.html') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const rel = url.pathname.replace(/^\/+/, '');
    const file = path.join(ROOT, rel);
    if (!(rel.startsWith('dist/') || rel.startsWith('media/')) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ status: 200, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  // Anything else (an injected <img src=x>, say) must never load.
  await context.route((url) => !url.href.startsWith(ORIGIN), (route) => route.abort());
  const page = await context.newPage();
  const problems = { errors: [] as string[], warnings: [] as string[], dialogs: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(m.text());
    else if (m.type() === 'warning') problems.warnings.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${ORIGIN}/panel.html`);
  return {
    page, context, problems,
    post: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
    posted: () => page.evaluate(() => (window as any).__tfd?.posted ?? []),
    violations: () => page.evaluate(() => (window as any).__tfd?.violations ?? []),
    close: () => context.close(),
  };
}
