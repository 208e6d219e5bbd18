// Entry of the panel bundle (dist/webview.js + dist/webview.css). Runs in two places:
//
// 1. VS Code webview: `acquireVsCodeApi` exists. The saved state (getState) is shown first, then
//    `{type:'ready'}` is posted, then HostToWebview messages drive the panel (see src/protocol/report.ts).
//    The host links the codicon font with
//      <link rel="stylesheet" id="vscode-codicon-stylesheet" href="{media}/codicon.css">
//    (the id matters: without it the panel falls back to text symbols) and dist/webview.css, and loads
//    dist/webview.js with <script nonce>. CSP:
//      default-src 'none'; style-src {cspSource}; font-src {cspSource}; script-src 'nonce-{N}'
//    No 'unsafe-inline' is needed: components style themselves with constructable stylesheets, dynamic
//    styles are set through CSSOM, never a style attribute.
//
// 2. Standalone HTML report (the CLI's --html), read-only. The contract for the writer:
//      <!DOCTYPE html><html lang="en"><head>
//        <meta charset="utf-8">
//        <meta http-equiv="Content-Security-Policy"
//              content="default-src 'none'; style-src 'nonce-{N}'; script-src 'nonce-{N}'">
//        <title>…</title>
//        <style nonce="{N}">{dist/webview.css, inlined}</style>
//      </head><body>
//        <script type="application/json" id="tfjs-debugger-report">{RunReport JSON, every '<' written as \u003c}</script>
//        <div id="tfjs-debugger-root"></div>
//        <script nonce="{N}">{dist/webview.js, inlined}</script>
//      </body></html>
//    The JSON script must come before the bundle. #tfjs-debugger-root is optional (the panel is appended to
//    <body> without it). No codicon font: icons are text symbols. Source links show file:line as text.
//    Colors come from the --vscode-* variables; standalone-theme.css defines light and dark fallbacks
//    (prefers-color-scheme) under html.tfjs-standalone, a class this script sets.
//    Inlining: the writer must make sure neither file contains `</script` or `</style` (it can replace
//    `</` with `<\/` in the JS), and may drop the trailing `//# sourceMappingURL` comment.
//
// Element ids for tests and tools: #run-header, #run-status[data-status], #btn-rerun, #btn-stop,
// #btn-export-json, #btn-export-html, #error-banner, #findings .finding-card[data-rule], #loss-summary
// [data-loss=before|during|after|after-step], #loss-chart, #layer-table tr[data-layer-id], #layer-detail.
import './styles.css';
import { isRunReport, type RunReport } from '../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol/runOptions.ts';
import { DebuggerApp } from './components/app.ts';
import { validSort } from './components/layer-table.ts';
import { detectCodicons, env } from './env.ts';
import { isHostToWebview } from '../src/protocol/webviewMessages.ts';
import { StandaloneHost, VsCodeHost, vscodeApiFactory, type Host } from './host.ts';
import { PanelStore } from './store.ts';

export const REPORT_SCRIPT_ID = 'tfjs-debugger-report';
export const ROOT_ID = 'tfjs-debugger-root';

function readEmbeddedReport(): { report: RunReport | null; error: string | null } {
  const el = document.getElementById(REPORT_SCRIPT_ID);
  if (!el) return { report: null, error: null };
  try {
    const report: unknown = JSON.parse(el.textContent ?? '');
    if (!isRunReport(report)) return { report: null, error: 'The embedded report is not a TF.js Model Debugger report.' };
    return { report, error: null };
  } catch (e) {
    return { report: null, error: `The embedded report could not be read: ${(e as Error).message}` };
  }
}

function start(): void {
  const acquire = vscodeApiFactory();
  env.interactive = acquire !== null;
  env.codicons = detectCodicons();
  const host: Host = acquire ? new VsCodeHost(acquire) : new StandaloneHost();
  if (!acquire) document.documentElement.classList.add('tfjs-standalone');

  let store: PanelStore;
  if (acquire) {
    const saved = host.getState();
    store = new PanelStore({ report: saved?.report ?? null, selectedLayer: saved?.selectedLayer ?? null, sort: validSort(saved?.sort) });
  } else {
    const { report, error } = readEmbeddedReport();
    store = new PanelStore({ report: report ?? (error ? errorReport(error) : null) });
  }

  const app = new DebuggerApp().init(store, host);
  (document.getElementById(ROOT_ID) ?? document.body).appendChild(app);

  if (acquire) {
    window.addEventListener('message', (event: MessageEvent) => {
      const m = event.data;
      if (!isHostToWebview(m)) return;
      switch (m.type) {
        case 'report':
          store.setReport(m.report, m.version);
          break;
        case 'run-ended':
          store.setReport(m.report);
          break;
        case 'update':
          store.applyUpdate(m.update);
          break;
        case 'select-layer':
          app.revealLayer(m.layer);
          break;
      }
    });
    host.post({ type: 'ready' });
  }
}

function errorReport(message: string): RunReport {
  return {
    schemaVersion: 1, target: '', args: [], status: 'failed', error: { kind: 'internal', message, file: null, line: null },
    tfjs: null, options: { ...DEFAULT_RUN_OPTIONS },
    startedAt: null, durationMs: null, exitCode: null, layers: [], gradientCallCount: 0, gradientCallsDropped: 0,
    gradientCalls: [], findings: [], memory: null, logs: [],
  };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
