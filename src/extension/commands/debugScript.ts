// tfjsDebugger.debugScript: runs a training script with the debugger: the file given (menus pass a Uri), else
// the active editor's, else one the user picks from the workspace's scripts (recent first).
import * as vscode from 'vscode';
import { basename } from '../../model/format.ts';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import { rememberTarget } from '../logic/recent.ts';
import { defaultCwd, ensureTrusted } from '../runController.ts';
import type { Command } from './deps.ts';
import { activeFile, fileArg, localFile, saveIfDirty, SCRIPT_FILE } from './files.ts';
import { pickScript } from './pickers.ts';

export const debugScript: Command = ({ context, controller, panelHost }) => async (arg?: unknown) => {
  // Trust first: no picker for a run that would be refused.
  if (!ensureTrusted('script')) return;
  const picked = fileArg(arg) ?? activeFile(SCRIPT_FILE) ?? (arg === undefined ? await pickScript(context.workspaceState) : undefined);
  const uri = typeof picked === 'string' ? vscode.Uri.file(picked) : picked;
  if (!uri || !localFile(uri)) return;
  if (!SCRIPT_FILE.test(uri.fsPath)) {
    void vscode.window.showErrorMessage(`TF.js Debugger: ${basename(uri.fsPath)} is not a .js, .mjs, .cjs or .ts file.`);
    return;
  }
  if (!(await saveIfDirty(uri))) return;
  await rememberTarget(context.workspaceState, uri.fsPath);
  const run = await controller.start({ kind: 'script', target: uri.fsPath, args: [], cwd: defaultCwd(uri.fsPath) });
  if (run) DebuggerPanel.show(panelHost, true);
};
