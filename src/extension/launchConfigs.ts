// F5 and launch.json: the "tfjs-debug" configuration type. The configuration provider checks Workspace Trust
// first and fills in the active script when there is no launch.json; the adapter is inline (no process of its
// own): it starts the run through the RunController like any command, and ends the debug session when the run
// ends (the debug toolbar's Stop stops the run). The script's output is in the TF.js Debugger terminal.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { plural } from '../model/format.ts';
import { DEBUG_TYPE, defaultLaunchConfig, requestFromLaunchConfig, type LaunchConfig } from './logic/launchConfig.ts';
import { runLabel } from './logic/presentation.ts';
import type { RunEntry, RunStore } from './logic/runStore.ts';
import { DebuggerPanel, type PanelHost } from './panel/debuggerPanel.ts';
import { ensureTrusted, type RunController } from './runController.ts';

interface DapRequest {
  seq: number;
  type: 'request';
  command: string;
  arguments?: unknown;
}

const isFolder = (p: string) => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The debug adapter of one session: DAP requests in, responses and events out. */
class RunDebugAdapter implements vscode.DebugAdapter {
  private readonly messages = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.messages.event;
  private seq = 1;
  private run: RunEntry | undefined;
  private ended = false;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly session: vscode.DebugSession,
    store: RunStore,
    private readonly controller: RunController,
    private readonly panelHost: PanelHost,
  ) {
    this.subscription = store.onDidChange((c) => {
      if (c.type === 'run-end' && this.run && c.run.id === this.run.id) this.finish(c.run);
    });
  }

  private send(message: Record<string, unknown>): void {
    this.messages.fire({ seq: this.seq++, ...message } as vscode.DebugProtocolMessage);
  }

  private respond(request: DapRequest, body: unknown = {}, error?: string): void {
    this.send({ type: 'response', request_seq: request.seq, command: request.command, success: !error, ...(error ? { message: error } : {}), body });
  }

  private event(event: string, body: unknown = {}): void {
    this.send({ type: 'event', event, body });
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    const m = message as DapRequest;
    if (m.type !== 'request') return;
    switch (m.command) {
      case 'initialize':
        this.respond(m, { supportsConfigurationDoneRequest: true, supportsTerminateRequest: true });
        this.event('initialized');
        break;
      case 'launch':
        void this.launch(m);
        break;
      case 'threads':
        this.respond(m, { threads: [] });
        break;
      case 'terminate':
      case 'disconnect':
        if (this.run?.running) void this.controller.stop();
        this.respond(m);
        break;
      default:
        this.respond(m);
    }
  }

  private async launch(m: DapRequest): Promise<void> {
    const folder = this.session.workspaceFolder?.uri.fsPath ?? null;
    const made = requestFromLaunchConfig(this.session.configuration as LaunchConfig, folder, isFolder);
    if ('error' in made) {
      this.respond(m, {}, made.error);
      return;
    }
    const run = await this.controller.start(made.request);
    if (!run) {
      this.respond(m, {}, 'The run was not started.');
      return;
    }
    this.run = run;
    this.respond(m);
    this.event('output', { category: 'console', output: `TF.js Debugger: ${runLabel(run.request.target, run.request.kind)}; its output is in the TF.js Debugger terminal.\n` });
    DebuggerPanel.show(this.panelHost, true);
    if (!run.running) this.finish(run);
  }

  private finish(run: RunEntry): void {
    if (this.ended) return;
    this.ended = true;
    const report = run.report();
    this.event('output', { category: 'console', output: `${runLabel(run.request.target, run.request.kind)}: ${report.status}, ${plural(report.gradientCallCount, 'gradient call')}, ${plural(report.findings.length, 'finding')}.\n` });
    this.event('terminated');
  }

  dispose(): void {
    this.subscription.dispose();
    this.messages.dispose();
  }
}

export class TfjsDebugConfigurations implements vscode.DebugConfigurationProvider, vscode.DebugAdapterDescriptorFactory {
  constructor(
    private readonly store: RunStore,
    private readonly controller: RunController,
    private readonly panelHost: PanelHost,
  ) {}

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    let resolved: LaunchConfig | null = config;
    if (!config.type && !config.request && !config.name) {
      // F5 with no launch.json: the active script.
      resolved = defaultLaunchConfig(vscode.window.activeTextEditor?.document.uri.scheme === 'file' ? vscode.window.activeTextEditor.document.uri.fsPath : null);
      if (!resolved) {
        void vscode.window.showInformationMessage('TF.js Debugger: open a training script to debug it, or add a "tfjs-debug" configuration to launch.json.');
        return undefined;
      }
    }
    // Trust before anything runs (a page runs its code too); a probe is not started from launch.json.
    if (!ensureTrusted(typeof resolved.url === 'string' && resolved.url ? 'page' : 'script')) return undefined;
    return resolved as vscode.DebugConfiguration;
  }

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterInlineImplementation(new RunDebugAdapter(session, this.store, this.controller, this.panelHost));
  }

  register(): vscode.Disposable[] {
    return [
      vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, this),
      vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, this),
    ];
  }
}
