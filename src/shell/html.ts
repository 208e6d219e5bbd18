// The one HTML page the panel's bundle (dist/webview.js and dist/webview.css) runs in, for all three places it
// runs: the VS Code panel (the bundle linked from the extension's dist/), the offline HTML report (the bundle
// inlined, the report embedded as JSON) and the webview tests (the panel's page, as it ships). One Content
// Security Policy, as strict as the bundle allows: nothing but the bundle runs (a fresh nonce per page), styles
// and fonts come only from the extension's own files (or, inlined, carry the nonce), and no inline style is
// allowed: the components style themselves with constructable stylesheets and set dynamic styles through the
// CSSOM, which a policy does not govern. Pure and browser-safe: no node import.
import type { RunReport } from '../protocol/report.ts';

/** Element ids the page and the bundle share (webview/main.ts reads them). */
export const PAGE_IDS = {
  /** The panel is rendered into this element. */
  root: 'tfjs-debugger-root',
  /** The offline report's JSON. */
  report: 'tfjs-debugger-report',
  /** The codicon stylesheet's link: VS Code extensions give it this id, and @vscode-elements looks it up by it. */
  codicons: 'vscode-codicon-stylesheet',
} as const;

/** The panel's files, as the webview may load them (webview.asWebviewUri). */
export interface WebviewAssets {
  /** webview.cspSource: where styles, fonts and images may come from. */
  cspSource: string;
  script: string;
  style: string;
  /** media/codicon.css, when the extension has it. */
  codicons?: string;
}

/** The panel's files' contents, to inline into a self-contained page. */
export interface PanelAssets {
  /** dist/webview.js */
  js: string;
  /** dist/webview.css */
  css: string;
}

/** 18 random bytes, base64url: 24 characters. */
export function makeNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

/** Text, and attribute values in double quotes, escaped for HTML. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Keeps inlined code from closing its own element early. */
function inlineable(code: string, tag: 'script' | 'style'): string {
  return code.replace(/\n\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n').replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

/** The policy: nothing by default; the nonce for scripts; `source` (a webview's cspSource) or the nonce for
 *  styles; fonts and images from `source` only. */
function contentSecurityPolicy(nonce: string, source: string | null): string {
  return [
    "default-src 'none'",
    ...(source ? [`img-src ${source} data:`, `style-src ${source}`, `font-src ${source}`] : [`style-src 'nonce-${nonce}'`]),
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

function page(p: { title: string; csp: string; head: string[]; body: string[] }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(p.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${p.head.map((line) => `${line}\n`).join('')}<title>${escapeHtml(p.title)}</title>
</head>
<body>
${p.body.map((line) => `${line}\n`).join('')}</body>
</html>
`;
}

/** The VS Code panel: the bundle and its stylesheet linked from the extension's files. */
export function webviewHtml(assets: WebviewAssets, nonce: string = makeNonce()): string {
  return page({
    title: 'TF.js Debugger',
    csp: contentSecurityPolicy(nonce, assets.cspSource),
    head: [
      ...(assets.codicons ? [`<link rel="stylesheet" href="${escapeHtml(assets.codicons)}" id="${PAGE_IDS.codicons}">`] : []),
      `<link rel="stylesheet" href="${escapeHtml(assets.style)}">`,
    ],
    body: [`<div id="${PAGE_IDS.root}"></div>`, `<script nonce="${nonce}" src="${escapeHtml(assets.script)}"></script>`],
  });
}

/** The offline HTML report: one self-contained file with the bundle inlined, which renders the same summary,
 *  findings, loss chart and layer table as the VS Code panel, without VS Code or a network. */
export function writeHtmlReport(report: RunReport, assets: PanelAssets): string {
  const nonce = makeNonce();
  const name = report.target.split(/[\\/]/).pop() ?? report.target;
  // JSON in a script element: '<' as \u003c, so no string in the report can close the element or open a comment.
  const json = JSON.stringify(report).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return page({
    title: `TF.js Model Debugger report: ${name}`,
    csp: contentSecurityPolicy(nonce, null),
    head: [`<style nonce="${nonce}">${inlineable(assets.css, 'style')}</style>`],
    body: [
      `<script type="application/json" id="${PAGE_IDS.report}">${json}</script>`,
      `<div id="${PAGE_IDS.root}"></div>`,
      '<noscript>This report needs JavaScript to draw its tables and charts. The raw data is in the JSON report (--json).</noscript>',
      `<script nonce="${nonce}">${inlineable(assets.js, 'script')}</script>`,
    ],
  });
}
