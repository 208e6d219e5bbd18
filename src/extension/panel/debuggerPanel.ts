// The panel: a webview running dist/webview.js. Waits for the webview's `ready`, then posts the shown run's
// report and, while it runs, what changed in it (a ReportUpdate from the run's LiveReport, at most one message
// per 50 ms). Messages from the webview are
// checked with isWebviewToHost; anything else is ignored and logged. No retainContextWhenHidden: a hidden
// panel's webview is gone, and it sends `ready` again when shown; a serializer restores it after a reload.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SourceLocation } from '../../protocol/report.ts';
import type { HostToWebview, WebviewCommand } from '../../protocol/webviewMessages.ts';
import { acceptWebviewMessage } from '../logic/messages.ts';
import type { RunStore } from '../logic/runStore.ts';
import { Throttle } from '../logic/throttle.ts';
import { webviewHtml } from '../../shell/html.ts';

export const PANEL_VIEW_TYPE = 'tfjsDebugger.panel';

export interface PanelHost {
  extensionUri: vscode.Uri;
  store: RunStore;
  log(message: string): void;
  revealSource(source: SourceLocation): void;
  revealLayerInTree(runId: string, layer: number): void;
  runCommand(command: WebviewCommand): void;
}

export class DebuggerPanel implements vscode.Disposable {
  private static current: DebuggerPanel | undefined;
  private ready = false;
  private shownRunId: string | null = null;
  private pendingLayer: number | null = null;
  /** The version of the shown live run's report the webview holds. */
  private postedVersion = 0;
  private readonly updates = new Throttle(() => this.postUpdate(), 50);
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Shows the panel, creating it if needed. */
  static show(host: PanelHost, preserveFocus = false): DebuggerPanel {
    if (DebuggerPanel.current) {
      DebuggerPanel.current.panel.reveal(undefined, preserveFocus);
      return DebuggerPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'TF.js Debugger',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, DebuggerPanel.webviewOptions(host.extensionUri));
    DebuggerPanel.current = new DebuggerPanel(panel, host);
    return DebuggerPanel.current;
  }

  /** Shows the panel with one layer selected. */
  static showLayer(host: PanelHost, layer: number): void {
    DebuggerPanel.show(host).selectLayer(layer);
  }

  static get isOpen(): boolean {
    return DebuggerPanel.current !== undefined;
  }

  static serializer(host: PanelHost): vscode.WebviewPanelSerializer {
    return {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        DebuggerPanel.current?.panel.dispose();
        panel.webview.options = DebuggerPanel.webviewOptions(host.extensionUri);
        DebuggerPanel.current = new DebuggerPanel(panel, host);
      },
    };
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly host: PanelHost) {
    panel.iconPath = {
      light: vscode.Uri.joinPath(host.extensionUri, 'media', 'icon-light.svg'),
      dark: vscode.Uri.joinPath(host.extensionUri, 'media', 'icon-dark.svg'),
    };
    this.render();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // Hidden: the webview is torn down; it sends `ready` again when shown.
        if (!panel.visible) {
          this.ready = false;
          this.updates.cancel();
        }
      }),
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      host.store.onDidChange((change) => {
        if (!this.ready) return;
        switch (change.type) {
          case 'run-start':
            this.postReport();
            break;
          case 'events':
            if (change.run.id === this.shownRunId) this.updates.request();
            break;
          case 'run-end':
            if (change.run.id === this.shownRunId) {
              // The final report holds whatever an update still pending would have said.
              this.updates.cancel();
              this.post({ type: 'run-ended', report: change.run.report() });
            }
            break;
          case 'cleared':
            this.postReport();
            break;
        }
      }),
    );
  }

  selectLayer(layer: number): void {
    if (this.ready) this.post({ type: 'select-layer', layer });
    else this.pendingLayer = layer;
  }

  private render(): void {
    const webview = this.panel.webview;
    const root = this.host.extensionUri;
    const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(root, ...parts)).toString();
    const codicons = vscode.Uri.joinPath(root, 'media', 'codicon.css');
    this.ready = false;
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      script: asset('dist', 'webview.js'),
      style: asset('dist', 'webview.css'),
      codicons: codicons.scheme === 'file' && existsSync(codicons.fsPath) ? asset('media', 'codicon.css') : undefined,
    });
  }

  /** The whole state: the shown run's report (a snapshot when live, with its version; updates follow). */
  private postReport(): void {
    const run = this.host.store.shown;
    this.updates.cancel();
    this.shownRunId = run?.id ?? null;
    const report = run?.report() ?? null;
    this.postedVersion = run?.live?.version ?? 0;
    this.post({ type: 'report', report, ...(run?.live ? { version: this.postedVersion } : {}) });
  }

  /** What changed in the shown live run since the webview's version. */
  private postUpdate(): void {
    const live = this.shownRunId ? this.host.store.get(this.shownRunId)?.live : null;
    if (!live || live.version === this.postedVersion) return;
    const update = live.changesSince(this.postedVersion);
    this.postedVersion = update.to;
    this.post({ type: 'update', update });
  }

  private receive(raw: unknown): void {
    const message = acceptWebviewMessage(raw, this.host.log);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postReport();
        if (this.pendingLayer != null) {
          this.post({ type: 'select-layer', layer: this.pendingLayer });
          this.pendingLayer = null;
        }
        break;
      case 'reveal-source':
        this.host.revealSource(message.source);
        break;
      case 'select-layer':
        if (this.shownRunId) this.host.revealLayerInTree(this.shownRunId, message.layer);
        break;
      case 'command':
        this.host.runCommand(message.command);
        break;
    }
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  /** Deactivation: drops the host side and leaves the panel open, so VS Code restores it after a reload. */
  static detach(): void {
    DebuggerPanel.current?.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DebuggerPanel.current === this) DebuggerPanel.current = undefined;
    this.updates.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
