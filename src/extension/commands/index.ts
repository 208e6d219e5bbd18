// The command handlers. Command ids are stable (end-to-end tests and keybindings use them); arguments from
// menus, links and other callers are checked before use.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { basename } from '../../model/format.ts';
import { writeHtmlReport } from '../../shell/html.ts';
import type { RunReport, SourceLocation } from '../../protocol/report.ts';
import type { WebviewCommand } from '../../protocol/webviewMessages.ts';
import { DebuggerPanel, type PanelHost } from '../panel/debuggerPanel.ts';
import { parseExportArgs, parseShowLayerArgs, parseSourceArg, type ExportFormat } from '../logic/messages.ts';
import { COMMANDS } from '../logic/presentation.ts';
import { defaultCwd, ensureTrusted, type RunController } from '../runController.ts';
import type { RunStore } from '../logic/runStore.ts';
import type { SourceTracking } from '../sourceTracking.ts';

export const SCRIPT_FILE = /\.(c|m)?(j|t)s$/i;
const EXAMPLE = 'batchnorm-mismatch.js';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  store: RunStore;
  controller: RunController;
  sources: SourceTracking;
  panelHost: PanelHost;
  log(message: string): void;
}

/** A file URI from a command argument: a Uri (menus), or a path string (tests, other extensions). */
function fileArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && path.isAbsolute(arg)) return vscode.Uri.file(arg);
  return undefined;
}

async function saveIfDirty(uri: vscode.Uri): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return !doc?.isDirty || doc.save();
}

function localFile(uri: vscode.Uri): boolean {
  if (uri.scheme === 'file') return true;
  void vscode.window.showErrorMessage(`TF.js Debugger runs local files only; ${uri.toString()} is not one.`);
  return false;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { store, controller, sources, panelHost } = deps;
  const showPanel = (preserveFocus = false) => DebuggerPanel.show(panelHost, preserveFocus);

  const debugScript = async (arg?: unknown) => {
    let uri = fileArg(arg);
    if (!uri) {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && SCRIPT_FILE.test(doc.fileName) && !doc.isUntitled) uri = doc.uri;
    }
    if (!uri) {
      uri = (await vscode.window.showOpenDialog({
        canSelectMany: false, openLabel: 'Debug', title: 'Debug Training Script',
        filters: { 'Training scripts': ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'] },
      }))?.[0];
    }
    if (!uri || !localFile(uri)) return;
    if (!SCRIPT_FILE.test(uri.fsPath)) {
      void vscode.window.showErrorMessage(`TF.js Debugger: ${basename(uri.fsPath)} is not a .js, .mjs, .cjs or .ts file.`);
      return;
    }
    if (!(await saveIfDirty(uri))) return;
    const run = await controller.start({ kind: 'script', target: uri.fsPath, args: [], cwd: defaultCwd(uri.fsPath) });
    if (run) showPanel(true);
  };

  const probeModel = async (arg?: unknown, options?: unknown) => {
    let uri = fileArg(arg);
    if (!uri) {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && /\.json$/i.test(doc.fileName) && !doc.isUntitled) uri = doc.uri;
    }
    if (!uri) {
      uri = (await vscode.window.showOpenDialog({
        canSelectMany: false, openLabel: 'Probe', title: 'Probe Saved Model (model.json)', filters: { 'TensorFlow.js model': ['json'] },
      }))?.[0];
    }
    if (!uri || !localFile(uri)) return;
    // {dataFile: string | null} skips the question (tests, other extensions).
    const given = (options as { dataFile?: unknown } | undefined)?.dataFile;
    let dataFile: string | undefined;
    if (typeof given === 'string' && path.isAbsolute(given)) dataFile = given;
    else if (given !== null) {
      const pick = await vscode.window.showQuickPick([
        { label: 'Synthetic batch', description: 'seeded random inputs of the model\'s input shape', data: false },
        { label: 'Choose a data file…', description: 'JSON {x, y} of nested arrays', data: true },
      ], { title: `Probe ${basename(uri.fsPath)} with` });
      if (!pick) return;
      if (pick.data) {
        dataFile = (await vscode.window.showOpenDialog({
          canSelectMany: false, openLabel: 'Use Data', defaultUri: vscode.Uri.file(path.dirname(uri.fsPath)), filters: { JSON: ['json'] },
        }))?.[0]?.fsPath;
        if (!dataFile) return;
      }
    }
    if (!(await saveIfDirty(uri))) return;
    const run = await controller.start({ kind: 'probe', target: uri.fsPath, args: [], cwd: path.dirname(uri.fsPath), dataFile });
    if (run) showPanel(true);
  };

  const runAgain = async () => {
    const last = store.shown?.request;
    if (!last) {
      void vscode.window.showInformationMessage('TF.js Debugger: nothing to run again yet. Debug a training script first.');
      return;
    }
    // While it runs, this is a restart: start() asks before stopping it.
    const run = await controller.start(last);
    if (run) showPanel(true);
  };

  const stop = async () => {
    if (!controller.running) {
      void vscode.window.showInformationMessage('TF.js Debugger: no run in progress.');
      return;
    }
    await controller.stop();
  };

  const exportReport = async (...args: unknown[]) => {
    const run = store.shown;
    if (!run) {
      void vscode.window.showInformationMessage('TF.js Debugger: no report to export yet.');
      return;
    }
    // A format may be passed (the panel's buttons); a path may not: only the save dialog says where.
    const parsed = parseExportArgs(args);
    if (parsed.refused) deps.log(parsed.refused);
    let format: ExportFormat | null = parsed.format;
    if (!format) {
      const pick = await vscode.window.showQuickPick([
        { label: 'JSON', description: 'the report, schema version 1 (same as tfjs-debug --json)', format: 'json' as const },
        { label: 'HTML', description: 'a self-contained page with the panel\'s views', format: 'html' as const },
      ], { title: 'Export TF.js Debugger Report' });
      if (!pick) return;
      format = pick.format;
    }
    const report: RunReport = run.report();
    const suggested = vscode.Uri.file(path.join(path.dirname(run.request.target), `${basename(run.request.target).replace(/\.[^.]+$/, '')}.tfjs-debug.${format}`));
    const uri = await vscode.window.showSaveDialog({
      defaultUri: suggested, title: 'Export TF.js Debugger Report',
      filters: format === 'json' ? { JSON: ['json'] } : { HTML: ['html'] },
    });
    if (!uri) return;
    try {
      const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : writeHtmlReport(report, await panelAssets(deps.context.extensionUri));
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    } catch (e) {
      void vscode.window.showErrorMessage(`TF.js Debugger: could not write the report to ${uri.fsPath}: ${(e as Error).message}`);
      return;
    }
    void vscode.window.showInformationMessage(`TF.js Debugger: report written to ${uri.fsPath}${run.running ? ' (a snapshot: the run is still in progress)' : ''}.`, 'Open')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('vscode.open', uri);
      });
  };

  const clearResults = async () => {
    await store.clear();
  };

  const openExample = async (folderArg?: unknown) => {
    // Refused before any file is copied; the launch path checks again.
    if (!ensureTrusted('script')) return;
    const folder = fileArg(folderArg) ?? (await vscode.window.showOpenDialog({
      canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Copy Example Here',
      title: `Copy ${EXAMPLE} into a folder`, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    }))?.[0];
    if (!folder || !localFile(folder)) return;
    const source = vscode.Uri.joinPath(deps.context.extensionUri, 'examples', EXAMPLE);
    const content = await vscode.workspace.fs.readFile(source);
    let dest = vscode.Uri.joinPath(folder, EXAMPLE);
    for (let n = 2; ; n++) {
      let existing: Uint8Array | null = null;
      try {
        existing = await vscode.workspace.fs.readFile(dest);
      } catch {
        existing = null;
      }
      if (existing === null) {
        await vscode.workspace.fs.writeFile(dest, content);
        break;
      }
      if (Buffer.from(existing).equals(Buffer.from(content))) break;
      dest = vscode.Uri.joinPath(folder, EXAMPLE.replace(/\.js$/, `-${n}.js`));
    }
    await vscode.window.showTextDocument(dest, { preview: false });
    await debugScript(dest);
  };

  const showLayer = (arg?: unknown) => {
    const args = parseShowLayerArgs(arg);
    if (!args) {
      deps.log(`Ignored ${COMMANDS.showLayer} with invalid arguments.`);
      return;
    }
    const shown = store.shown;
    if (!shown || shown.id !== args.runId) {
      void vscode.window.showInformationMessage('TF.js Debugger: that layer belongs to an earlier run; the panel shows the latest run.');
      showPanel();
      return;
    }
    DebuggerPanel.showLayer(panelHost, args.layer);
  };

  const revealSource = (arg?: unknown) => {
    const loc = parseSourceArg(arg);
    if (!loc) {
      deps.log(`Ignored ${COMMANDS.revealSource} with invalid arguments.`);
      return;
    }
    void revealLocation(loc, sources);
  };

  return [
    vscode.commands.registerCommand(COMMANDS.debugScript, debugScript),
    vscode.commands.registerCommand(COMMANDS.probeModel, probeModel),
    vscode.commands.registerCommand(COMMANDS.runAgain, runAgain),
    vscode.commands.registerCommand(COMMANDS.stop, stop),
    vscode.commands.registerCommand(COMMANDS.showPanel, () => void showPanel()),
    vscode.commands.registerCommand(COMMANDS.exportReport, exportReport),
    vscode.commands.registerCommand(COMMANDS.clearResults, clearResults),
    vscode.commands.registerCommand(COMMANDS.openExample, openExample),
    vscode.commands.registerCommand(COMMANDS.showLayer, showLayer),
    vscode.commands.registerCommand(COMMANDS.revealSource, revealSource),
  ];
}

/** The panel's bundle, inlined into the HTML report so it renders the same views offline. */
async function panelAssets(extensionUri: vscode.Uri): Promise<{ js: string; css: string }> {
  const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', name)));
  return { js: await read('webview.js'), css: await read('webview.css') };
}

/** Runs a panel button's command. */
export function runWebviewCommand(command: WebviewCommand): void {
  switch (command) {
    case 'rerun':
      void vscode.commands.executeCommand(COMMANDS.runAgain);
      break;
    case 'stop':
      void vscode.commands.executeCommand(COMMANDS.stop);
      break;
    case 'export-json':
      void vscode.commands.executeCommand(COMMANDS.exportReport, 'json');
      break;
    case 'export-html':
      void vscode.commands.executeCommand(COMMANDS.exportReport, 'html');
      break;
  }
}

/** Opens a file at a place from a run, where that code is now. */
export async function revealLocation(loc: SourceLocation, sources: SourceTracking): Promise<void> {
  const now = sources.tracker.locate(loc);
  if (!now) vscode.window.setStatusBarMessage('TF.js Debugger: that code changed since the run; showing the line the run saw.', 5000);
  const at = now ?? loc;
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(at.file));
    const line = Math.min(at.line, doc.lineCount) - 1;
    const pos = new vscode.Position(line, Math.min(at.column - 1, doc.lineAt(line).text.length));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true, viewColumn: vscode.ViewColumn.One });
  } catch (e) {
    void vscode.window.showErrorMessage(`TF.js Debugger: could not open ${at.file}: ${(e as Error).message}`);
  }
}
