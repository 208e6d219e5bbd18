// Serves the real built panel (dist/webview.js, dist/webview.css, media/codicon.*) to headless Chromium in the
// page the extension ships (src/shell/html.ts: the same HTML, the same Content Security Policy), with what VS Code
// itself adds to a webview injected before the page's scripts run: a stub acquireVsCodeApi that records posted
// messages and keeps get/setState in sessionStorage (so it survives a reload, as VS Code's state does), the theme
// variables on <html> and the theme class on <body>.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunReport } from '../../src/protocol/report.ts';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/webviewMessages.ts';
import { webviewHtml, writeHtmlReport } from '../../src/shell/html.ts';
import { THEMES, type Theme } from './themes.ts';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ORIGIN = 'https://webview.test';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

/** The panel's page as the extension writes it, with the test origin standing for the webview's resource root. */
export function vscodePageHtml(): string {
  return webviewHtml({ cspSource: ORIGIN, script: `${ORIGIN}/dist/webview.js`, style: `${ORIGIN}/dist/webview.css`, codicons: `${ORIGIN}/media/codicon.css` });
}

/** What VS Code adds to a webview page before its scripts run: acquireVsCodeApi and the theme. Also records CSP
 *  violations. */
export function vscodeStub(theme: Theme): string {
  return `(() => {
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
  const vars = ${JSON.stringify(theme.vars)};
  const apply = () => {
    if (document.documentElement && !t.themed) {
      t.themed = true;
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    }
    if (!document.body) return false;
    document.body.classList.add(${JSON.stringify(theme.bodyClass)});
    document.body.dataset.vscodeThemeKind = ${JSON.stringify(theme.kind)};
    return true;
  };
  if (!apply()) new MutationObserver((_, observer) => { if (apply()) observer.disconnect(); }).observe(document, { childList: true, subtree: true });
})();`;
}

/** The standalone HTML report, as the CLI writes it. */
export function standaloneHtml(reportJson: string): string {
  const assets = { js: readFileSync(path.join(ROOT, 'dist', 'webview.js'), 'utf8'), css: readFileSync(path.join(ROOT, 'dist', 'webview.css'), 'utf8') };
  return writeHtmlReport(JSON.parse(reportJson) as RunReport, assets);
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

/** Opens the panel's page (or `html`, a standalone report), VS Code's additions injected unless it is `html`;
 *  `stub` replaces them (the bench's own). */
export async function openPanel(browser: Browser, opts: { theme?: Theme['name']; html?: string; stub?: string; width?: number; height?: number } = {}): Promise<Panel> {
  for (const f of ['dist/webview.js', 'dist/webview.css', 'media/codicon.css', 'media/codicon.ttf']) {
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build`);
  }
  const theme = THEMES[opts.theme ?? 'dark'];
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 900 }, colorScheme: theme.name === 'light' ? 'light' : 'dark' });
  const html = opts.html ?? vscodePageHtml();
  if (!opts.html || opts.stub) await context.addInitScript(opts.stub ?? vscodeStub(theme));
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
