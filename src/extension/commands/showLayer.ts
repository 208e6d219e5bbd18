// tfjsDebugger.showLayer: shows one layer of the shown run in the panel ({runId, layer}: from the sidebar, a
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
  if (store.shown?.id !== args.runId) {
    void vscode.window.showInformationMessage('TF.js Debugger: that layer belongs to an earlier run; the panel shows the latest run.');
    DebuggerPanel.show(panelHost);
    return;
  }
  DebuggerPanel.showLayer(panelHost, args.layer);
};
