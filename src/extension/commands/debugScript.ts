// tfjsDebugger.debugScript: runs a training script with the debugger: the file given (menus pass a Uri), else
// the active editor's, else one the user picks.
import * as vscode from 'vscode';
import { basename } from '../../model/format.ts';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import { defaultCwd } from '../runController.ts';
import type { Command } from './deps.ts';
import { activeFile, fileArg, localFile, saveIfDirty, SCRIPT_FILE } from './files.ts';

export const debugScript: Command = ({ controller, panelHost }) => async (arg?: unknown) => {
  const uri = fileArg(arg) ?? activeFile(SCRIPT_FILE) ?? (await vscode.window.showOpenDialog({
    canSelectMany: false, openLabel: 'Debug', title: 'Debug Training Script',
    filters: { 'Training scripts': ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'] },
  }))?.[0];
  if (!uri || !localFile(uri)) return;
  if (!SCRIPT_FILE.test(uri.fsPath)) {
    void vscode.window.showErrorMessage(`TF.js Debugger: ${basename(uri.fsPath)} is not a .js, .mjs, .cjs or .ts file.`);
    return;
  }
  if (!(await saveIfDirty(uri))) return;
  const run = await controller.start({ kind: 'script', target: uri.fsPath, args: [], cwd: defaultCwd(uri.fsPath) });
  if (run) DebuggerPanel.show(panelHost, true);
};
