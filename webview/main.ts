// Entry of the panel bundle (dist/webview.js + dist/webview.css). It runs in the page src/shell/html.ts writes,
// in two places:
//
// 1. VS Code webview: `acquireVsCodeApi` exists. The saved state (getState) is shown first, then
//    `{type:'ready'}` is posted, then HostToWebview messages drive the panel (src/protocol/webviewMessages.ts).
//    The codicon font is used when the page links it (PAGE_IDS.codicons); otherwise icons are text symbols.
// 2. The offline HTML report (the CLI's --html, Export HTML), read-only: the report is the JSON in
//    PAGE_IDS.report. Source links show file:line as text. Colors come from the --vscode-* variables;
//    standalone-theme.css defines light and dark fallbacks (prefers-color-scheme) under html.tfjs-standalone, a
//    class this script sets.
//
// Either way the panel is rendered into PAGE_IDS.root, under a policy that allows no inline style: components
// style themselves with constructable stylesheets, and dynamic styles are set through the CSSOM, never a style
// attribute.
//
// Element ids for tests and tools: #run-header, #run-status[data-status] (running, stopping, completed, failed, timed-out,
// cancelled), #btn-rerun, #btn-stop,
// #btn-export-json, #btn-export-html, #error-banner, #findings .finding-card[data-rule], #loss-summary
// [data-loss=before|during|after|after-step], #loss-chart, #layer-table tr[data-layer-id], #layer-detail,
// #compare (two runs side by side: #compare-before, #compare-after, each with .compare-findings), #btn-close-compare.
import './styles.css';
import { isRunReport, type RunReport } from '../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../src/protocol/runOptions.ts';
import { PAGE_IDS } from '../src/shell/html.ts';
import { DebuggerApp } from './components/app.ts';
import { validSort } from './components/layer-table.ts';
import { isHostToWebview } from '../src/protocol/webviewMessages.ts';
import { StandaloneHost, VsCodeHost, vscodeApiFactory, type Host } from './host.ts';
import { PanelStore } from './store.ts';


function readEmbeddedReport(): { report: RunReport | null; error: string | null } {
  const el = document.getElementById(PAGE_IDS.report);
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
  const host: Host = acquire ? new VsCodeHost(acquire) : new StandaloneHost();
  const env = { interactive: host.interactive, codicons: document.getElementById(PAGE_IDS.codicons) !== null };
  if (!acquire) document.documentElement.classList.add('tfjs-standalone');

  let store: PanelStore;
  if (acquire) {
    const saved = host.getState();
    store = new PanelStore({ report: saved?.report ?? null, selectedLayer: saved?.selectedLayer ?? null, sort: validSort(saved?.sort) });
  } else {
    const { report, error } = readEmbeddedReport();
    store = new PanelStore({ report: report ?? (error ? errorReport(error) : null) });
  }

  const app = new DebuggerApp().init(store, host, env);
  (document.getElementById(PAGE_IDS.root) ?? document.body).appendChild(app);

  if (acquire) {
    window.addEventListener('message', (event: MessageEvent) => {
      const m = event.data;
      if (!isHostToWebview(m)) return;
      switch (m.type) {
        case 'report':
          store.setReport(m.report, m.version, m.run);
          break;
        case 'run-ended':
          store.setReport(m.report, 0, m.run);
          break;
        case 'update':
          store.applyUpdate(m.update, m.run);
          break;
        case 'compare':
          store.setComparison(m.comparison);
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
