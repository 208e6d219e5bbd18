// Activation: cheap. Nothing here loads tfjs (the runner does, in its own process, when a command starts a
// run); the bundle holds the host side, the report builder and the diagnosis rules only.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommands, runWebviewCommand } from './commands/index.ts';
import { revealLocation } from './commands/revealSource.ts';
import { LayerCodeLensProvider } from './providers/codeLens.ts';
import { DebuggerPanel, PANEL_VIEW_TYPE, type PanelHost } from './panel/debuggerPanel.ts';
import { FindingsDiagnostics } from './providers/diagnostics.ts';
import { FindingCodeActions } from './providers/quickFixes.ts';
import { TfjsDebugConfigurations } from './launchConfigs.ts';
import { LayerHoverProvider } from './providers/hover.ts';
import { RunController } from './runController.ts';
import { layerNodeId, RunsTreeProvider } from './providers/runsTree.ts';
import { FileArchive } from './logic/runArchive.ts';
import { DEFAULT_RUNS_KEPT, RunStore } from './logic/runStore.ts';
import { SourceTracking } from './sourceTracking.ts';
import { RunStatusBar } from './providers/statusBar.ts';
import { ScriptTerminal } from './scriptTerminal.ts';

export const OUTPUT_NAME = 'TF.js Debugger';
export const TREE_VIEW_ID = 'tfjsDebugger.runs';

/** Files that can carry layers: scripts, and model.json for probed saved models. */
const SELECTOR: vscode.DocumentSelector = { scheme: 'file', pattern: '**/*.{js,mjs,cjs,ts,mts,cts,json}' };

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel(OUTPUT_NAME);
  const log = (message: string) => output.appendLine(`[debugger] ${message}`);
  // Finished runs' reports are files in the workspace's storage folder (the global one without a workspace); the
  // list of runs is in workspace state.
  const storage = context.storageUri ?? context.globalStorageUri;
  const maxRuns = () => vscode.workspace.getConfiguration('tfjsDebugger').get<number>('maxRuns', DEFAULT_RUNS_KEPT);
  const store = new RunStore(context.workspaceState, { archive: new FileArchive(path.join(storage.fsPath, 'runs')), maxRuns: maxRuns() });
  const sources = new SourceTracking(store, context.workspaceState);
  const distDir = path.join(context.extensionPath, 'dist');
  const controller = new RunController(store, output, distDir);
  const terminal = new ScriptTerminal();
  controller.useOutput((_request, label, control) => terminal.begin(label, control));
  const tree = new RunsTreeProvider(store);
  const treeView = vscode.window.createTreeView(TREE_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const diagnostics = new FindingsDiagnostics(store, sources);
  const codeLens = new LayerCodeLensProvider(store, sources);

  const panelHost: PanelHost = {
    extensionUri: context.extensionUri,
    store,
    log,
    revealSource: (source) => void revealLocation(source, sources),
    revealLayerInTree: (runId, layer) => {
      void treeView.reveal({ kind: 'layer', id: layerNodeId(runId, layer), runId, layer, call: null, source: null }, { select: true, focus: false, expand: true })
        .then(undefined, (e) => log(`Could not reveal layer ${layer} in the sidebar: ${(e as Error).message}`));
    },
    runCommand: runWebviewCommand,
  };

  const updateContext = () => {
    void vscode.commands.executeCommand('setContext', 'tfjsDebugger.hasResults', store.runs().some((r) => !r.running));
    void vscode.commands.executeCommand('setContext', 'tfjsDebugger.canRunAgain', store.shown !== undefined);
  };
  updateContext();

  context.subscriptions.push(
    output,
    sources,
    controller,
    tree,
    treeView,
    diagnostics,
    codeLens,
    new RunStatusBar(store),
    store.onDidChange((c) => {
      if (c.type !== 'progress') updateContext();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tfjsDebugger.maxRuns')) void store.setMaxRuns(maxRuns());
    }),
    vscode.languages.registerHoverProvider(SELECTOR, new LayerHoverProvider(store, sources)),
    vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
    terminal,
    vscode.languages.registerCodeActionsProvider(SELECTOR, new FindingCodeActions(store, sources, distDir, log), FindingCodeActions.metadata),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, DebuggerPanel.serializer(panelHost)),
    { dispose: () => DebuggerPanel.detach() },
    ...registerCommands({ context, store, controller, sources, panelHost, log, output, terminal }),
  );
  // F5 and launch.json; apart, so that a failure here (a package.json without the debugger) leaves the rest working.
  try {
    context.subscriptions.push(...new TfjsDebugConfigurations(store, controller, panelHost).register());
  } catch (e) {
    log(`Launch configurations are not available: ${(e as Error).message}`);
  }
}

export function deactivate(): void {
  // context.subscriptions are disposed by VS Code: RunController.dispose kills a run in progress.
}
