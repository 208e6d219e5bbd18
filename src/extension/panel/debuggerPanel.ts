// The panel: a webview running dist/webview.js. Waits for the webview's `ready`; what it is sent then, and while a
// run streams, is PanelFeed's business (src/extension/logic/panelFeed.ts: small updates at a bounded rate). Messages
// from the webview are checked with isWebviewToHost; anything else is ignored and logged. No
// retainContextWhenHidden: a hidden panel's webview is gone, and it sends `ready` again when shown; a serializer
// restores it after a reload.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SourceLocation } from '../../protocol/report.ts';
import type { HostToWebview, WebviewCommand } from '../../protocol/webviewMessages.ts';
import { acceptWebviewMessage } from '../logic/messages.ts';
import { PanelFeed } from '../logic/panelFeed.ts';
import type { RunStore } from '../logic/runStore.ts';
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
  private pendingLayer: number | null = null;
  private readonly feed: PanelFeed;
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

  /** Shows two runs side by side. */
  static compare(host: PanelHost, before: string, after: string): boolean {
    return DebuggerPanel.show(host).feed.compare(before, after);
  }

  /** What the open panel has posted (the bench and tests read it). */
  static get stats(): PanelFeed['stats'] | null {
    return DebuggerPanel.current?.feed.stats ?? null;
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
    this.feed = new PanelFeed(host.store, (message) => this.post(message));
    this.render();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // Hidden: the webview is torn down; it sends `ready` again when shown.
        if (!panel.visible) {
          this.ready = false;
          this.feed.detach();
        }
      }),
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
    );
  }

  selectLayer(layer: number): void {
    this.feed.select(layer);
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

  private receive(raw: unknown): void {
    const message = acceptWebviewMessage(raw, this.host.log);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.feed.attach();
        if (this.pendingLayer != null) {
          this.post({ type: 'select-layer', layer: this.pendingLayer });
          this.pendingLayer = null;
        }
        break;
      case 'reveal-source':
        this.host.revealSource(message.source);
        break;
      case 'select-layer': {
        this.feed.select(message.layer);
        const run = this.host.store.shown;
        if (run) this.host.revealLayerInTree(run.id, message.layer);
        break;
      }
      case 'view':
        this.feed.setLayersOnScreen(message.layers);
        break;
      case 'close-compare':
        this.feed.closeCompare();
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
    this.feed.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
