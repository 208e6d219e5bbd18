// tfjsDebugger.showLayer: shows one layer of a run in the panel (opening that run) ({runId, layer}: from the sidebar, a
// hover link, CodeLens or a quick fix).
import * as vscode from 'vscode';
import { COMMANDS } from '../logic/presentation.ts';
import { parseShowLayerArgs } from '../logic/messages.ts';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';

export const showLayer: Command = ({ store, panelHost, log }) => (arg?: unknown) => {
  const args = parseShowLayerArgs(arg);
  if (!args) {
    log(`Ignored ${COMMANDS.showLayer} with invalid arguments.`);
    return;
  }
  // Any run kept in the history: the panel opens it.
  if (!store.show(args.runId)) {
    void vscode.window.showInformationMessage('TF.js Debugger: that run is no longer kept (tfjsDebugger.maxRuns); the panel shows the latest run.');
    DebuggerPanel.show(panelHost);
    return;
  }
  DebuggerPanel.showLayer(panelHost, args.layer);
};
