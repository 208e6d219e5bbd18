// The offline HTML report: one self-contained file with the panel's own bundle inlined, so it renders the
// same summary, findings, loss chart and layer table as the VS Code panel, without VS Code or a network.
// The contract with the bundle is documented at the top of webview/main.ts.
import type { RunReport } from '../protocol/report.ts';

export interface PanelAssets {
  /** dist/webview.js */
  js: string;
  /** dist/webview.css */
  css: string;
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function nonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** Keeps inlined code from closing its own element early. */
function inlineable(code: string, tag: 'script' | 'style'): string {
  return code.replace(/\n\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n').replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

export function writeHtmlReport(report: RunReport, assets: PanelAssets): string {
  const n = nonce();
  const name = report.target.split(/[\\/]/).pop() ?? report.target;
  // JSON in a script element: '<' as \u003c, so no string in the report can close the element or open a comment.
  const json = JSON.stringify(report).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TF.js Model Debugger report: ${escapeText(name)}</title>
<style nonce="${n}">${inlineable(assets.css, 'style')}</style>
</head>
<body>
<script type="application/json" id="tfjs-debugger-report">${json}</script>
<div id="tfjs-debugger-root"></div>
<noscript>This report needs JavaScript to draw its tables and charts. The raw data is in the JSON report (--json).</noscript>
<script nonce="${n}">${inlineable(assets.js, 'script')}</script>
</body>
</html>
`;
}
