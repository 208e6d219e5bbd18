// The panel's HTML: the webview bundle behind a strict CSP with a fresh nonce. Pure: no vscode import.
import { randomBytes } from 'node:crypto';

export interface WebviewAssets {
  /** webview.cspSource */
  cspSource: string;
  script: string;
  style: string;
  /** media/codicon.css, when the extension has it. */
  codicons?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function webviewHtml(assets: WebviewAssets, nonce: string = makeNonce()): string {
  const csp = [
    "default-src 'none'",
    `img-src ${assets.cspSource} data:`,
    `style-src ${assets.cspSource} 'unsafe-inline'`,
    `font-src ${assets.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${assets.codicons ? `<link rel="stylesheet" href="${attr(assets.codicons)}" id="vscode-codicon-stylesheet">\n` : ''}<link rel="stylesheet" href="${attr(assets.style)}">
<title>TF.js Debugger</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${attr(assets.script)}"></script>
</body>
</html>
`;
}
