// tfjsDebugger.runAgain: runs the shown run's request again (while it runs, a restart: the controller asks
// before stopping it).
import * as vscode from 'vscode';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';

export const runAgain: Command = ({ store, controller, panelHost }) => async () => {
  const last = store.shown?.request;
  if (!last) {
    void vscode.window.showInformationMessage('TF.js Debugger: nothing to run again yet. Debug a training script first.');
    return;
  }
  const run = await controller.start(last);
  if (run) DebuggerPanel.show(panelHost, true);
};
