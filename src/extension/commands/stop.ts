// tfjsDebugger.stop: stops the run in progress and waits until its processes are gone.
import * as vscode from 'vscode';
import type { Command } from './deps.ts';

export const stop: Command = ({ controller }) => async () => {
  if (!controller.running) {
    void vscode.window.showInformationMessage('TF.js Debugger: no run in progress.');
    return;
  }
  await controller.stop();
};
