// Starts runs through launchRunner: one at a time, the runner on VS Code's own Node (or the nodePath
// setting), its output to the "TF.js Debugger" channel (capped per run). Progress shows in the status bar
// (RunStatusBar); a notification only when the user has something to do: a failure, or findings while the panel
// is closed. Workspace Trust is enforced here, on the path every launch takes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { basename, plural } from '../model/format.ts';
import type { RunReport } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../protocol/runOptions.ts';
import { launchRunner, type RunHandle } from '../host/launch.ts';
import { startPageRun } from './logic/pageRun.ts';
import type { RunControl, RunOutput } from './scriptTerminal.ts';
import { OutputLimiter } from './logic/outputLimiter.ts';
import { RunSlot } from './logic/runSlot.ts';
import { COMMANDS, runLabel, worstSeverity } from './logic/presentation.ts';
import type { RunEntry, RunKind, RunRequest, RunStore } from './logic/runStore.ts';
import { launchOptionsFor, readSettings, trustRefusal, type DebuggerSettings } from './logic/settings.ts';
import { DebuggerPanel } from './panel/debuggerPanel.ts';

export const CONTEXT_RUNNING = 'tfjsDebugger.running';

/** Where a run's output goes instead of the output channel (the terminal: scriptTerminal.ts), or null. */
export type RunOutputFactory = (request: RunRequest, label: string, control: RunControl) => RunOutput | null;

export interface StartOptions {
  /** false: no notification of how the run ended (the caller tells the user: Fix and re-run). */
  announce?: boolean;
}

export class RunController implements vscode.Disposable {
  private readonly slot = new RunSlot<RunEntry>();
  private outputFor: RunOutputFactory | null = null;

  constructor(
    private readonly store: RunStore,
    private readonly output: vscode.OutputChannel,
    private readonly distDir: string,
  ) {}

  get running(): boolean {
    return this.slot.running;
  }

  /** Starts a run; resolves with it once started, or undefined when refused or declined. */
  async start(request: RunRequest, opts: StartOptions = {}): Promise<RunEntry | undefined> {
    if (!ensureTrusted(request.kind)) return undefined;
    const result = await this.slot.start(async (active) => {
      const current = runLabel(active.run.request.target, active.run.request.kind);
      const choice = await vscode.window.showWarningMessage(
        `TF.js Debugger is running ${current}. Stop the current run and start the new one?`,
        { modal: true, detail: `New run: ${request.target}` }, 'Stop and Start');
      if (choice === 'Stop and Start') return true;
      void vscode.window.showInformationMessage(`TF.js Debugger: ${current} keeps running; the new run was not started.`);
      return false;
    }, () => this.launch(request, opts));
    if (result.started) return result.value;
    if (result.reason === 'starting') void vscode.window.showWarningMessage('TF.js Debugger is already starting a run.');
    return undefined;
  }

  /** Sends each run's output where `factory` says (the terminal) rather than to the output channel. */
  useOutput(factory: RunOutputFactory): void {
    this.outputFor = factory;
  }

  /** Stops the run in progress (kills its process group) and waits until it has ended. */
  stop(): Promise<void> {
    return this.slot.stop();
  }

  /** The settings for a run: a launch configuration's own (request.settings), else the workspace's. */
  private settingsFor(request: RunRequest): DebuggerSettings {
    const config = vscode.workspace.getConfiguration('tfjsDebugger', /^[a-z][a-z0-9+.-]+:/i.test(request.target) ? undefined : vscode.Uri.file(request.target));
    return readSettings((key) => request.settings?.[key] ?? config.get(key));
  }

  private launch(request: RunRequest, startOpts: StartOptions): RunEntry {
    const settings = this.settingsFor(request);
    const host = { execPath: process.execPath, env: process.env, distDir: this.distDir };
    const opts = launchOptionsFor(request, settings, host);
    const run = this.store.start(request, { ...DEFAULT_RUN_OPTIONS, ...opts.options });
    const label = runLabel(request.target, request.kind);
    const limiter = new OutputLimiter();
    const started = Date.now();
    this.output.appendLine(`\n[${new Date().toLocaleTimeString()}] ${request.kind === 'probe' ? 'Probing' : 'Debugging'} ${request.target}` +
      `${request.args.length ? ` ${request.args.join(' ')}` : ''} (cwd ${request.cwd})`);

    // The script's output: to the terminal (Ctrl-C there interrupts the run), else to the output channel.
    const sink = settings.scriptOutput === 'terminal' && request.kind !== 'probe'
      ? this.outputFor?.(request, label, { interrupt: () => handle.interrupt('SIGINT'), stop: () => void this.stop() }) ?? null
      : null;
    const onOutput = (chunk: string) => {
      if (sink) return sink.write(chunk);
      const text = limiter.take(chunk);
      if (text) this.output.append(text);
    };
    // The runner's events are folded once, into the run's own report (run.live), which the views read.
    const handle: RunHandle = request.kind === 'page' && run.live
      ? startPageRun({ request, settings, host, options: opts.options ?? {}, live: run.live, onOutput })
      : launchRunner({ ...opts, env: { ...opts.env, ...sink?.env }, live: run.live ?? undefined, onOutput });
    this.slot.hold(run, handle, async ({ report }) => {
      // Every surface shows the end first (the store tells them at once); the rest follows.
      const saved = this.store.finish(run.id, report);
      void vscode.commands.executeCommand('setContext', CONTEXT_RUNNING, false);
      const summary = `${label}: ${report.status} after ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `${plural(report.gradientCallCount, 'gradient call')}, ${plural(report.findings.length, 'finding')}`;
      this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${summary}`);
      sink?.end(summary);
      if (report.error) this.output.appendLine(report.error.stack && report.error.kind !== 'usage' ? report.error.stack : report.error.message);
      try {
        await saved;
      } catch (e) {
        this.output.appendLine(`[debugger] could not save the report: ${(e as Error).message}`);
      }
      if (startOpts.announce !== false) this.announce(report, label);
    });
    void vscode.commands.executeCommand('setContext', CONTEXT_RUNNING, true);
    return run;
  }

  /** Tells the user how the run ended, with the next step as a button. */
  private announce(report: RunReport, label: string): void {
    const act = (choice: string | undefined) => {
      if (choice === 'Show Panel') void vscode.commands.executeCommand(COMMANDS.showPanel);
      else if (choice === 'Show Output') this.output.show(true);
      else if (choice === 'Go to Error' && report.error?.file && report.error.line) {
        void vscode.commands.executeCommand(COMMANDS.revealSource, { file: report.error.file, line: report.error.line, column: report.error.column ?? 1 });
      }
    };
    switch (report.status) {
      case 'completed': {
        // The panel shows the outcome when it is open; a toast only to point at it.
        if (DebuggerPanel.isOpen) break;
        const n = report.findings.length;
        const worst = worstSeverity(report.findings);
        const text = n === 0
          ? `TF.js Debugger: ${label} completed, ${report.gradientCallCount} gradient calls, no findings.`
          : `TF.js Debugger: ${label} completed with ${plural(n, 'finding')}: ${report.findings.map((f) => f.rule).slice(0, 3).join(', ')}.`;
        const show = worst === 'error' || worst === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        void show(text, 'Show Panel').then(act);
        break;
      }
      case 'cancelled':
        vscode.window.setStatusBarMessage(`TF.js Debugger: ${label} stopped.`, 4000);
        break;
      default: {
        const where = report.error?.file && report.error.line ? ` (${basename(report.error.file)}:${report.error.line})` : '';
        const message = report.error?.message ?? `The run ended: ${report.status}.`;
        const buttons = [...(report.error?.file && report.error.line ? ['Go to Error'] : []), 'Show Output', 'Show Panel'];
        void vscode.window.showErrorMessage(`TF.js Debugger: ${label} ${report.status === 'timed-out' ? 'timed out' : 'failed'}${where}: ${message}`, ...buttons).then(act);
      }
    }
  }

  dispose(): void {
    // Deactivation and window close: the runner and everything the script started go with it, and a start
    // still waiting on the user does not launch.
    this.slot.dispose();
  }
}

/** Whether a run of this kind may start in this workspace; when not, tells the user why and how to change it. */
export function ensureTrusted(kind: RunKind): boolean {
  const refusal = trustRefusal(kind, vscode.workspace.isTrusted);
  if (!refusal) return true;
  void vscode.window.showWarningMessage(refusal, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

/** Where a script runs: its workspace folder, else its own folder. */
export function defaultCwd(file: string): string {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
}
