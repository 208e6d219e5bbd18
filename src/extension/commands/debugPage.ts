// tfjsDebugger.debugPage: "Debug Training Page…": a web page that trains with tfjs, opened in a Chromium-family
// browser with the debugger's page agent (src/host/browser). The target is a URL, an .html file, or a Vite app's
// folder (its dev server is started for the run). The argument may be any of those (a string or a Uri: tests,
// other extensions, launch configurations); else the user picks one. Trust is checked before any picker.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rememberTarget } from '../logic/recent.ts';
import type { RunRequest } from '../logic/runStore.ts';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import { defaultCwd, ensureTrusted } from '../runController.ts';
import type { Command } from './deps.ts';
import { pickPage, type PickedTarget } from './pickers.ts';

const URL_PATTERN = /^https?:\/\//i;

async function targetArg(arg: unknown): Promise<PickedTarget | undefined> {
  const value = arg instanceof vscode.Uri ? (arg.scheme === 'file' ? arg.fsPath : arg.toString()) : typeof arg === 'string' ? arg : undefined;
  if (!value) return undefined;
  if (URL_PATTERN.test(value)) return { target: value, kind: 'url' };
  if (!path.isAbsolute(value)) return undefined;
  try {
    const stat = await vscode.workspace.fs.stat(vscode.Uri.file(value));
    return { target: value, kind: stat.type & vscode.FileType.Directory ? 'folder' : 'file' };
  } catch {
    void vscode.window.showErrorMessage(`TF.js Debugger: ${value} does not exist.`);
    return undefined;
  }
}

/** The run request for a page target. */
export function pageRequest(picked: PickedTarget, root?: string): RunRequest {
  if (picked.kind === 'folder') return { kind: 'page', target: picked.target, args: [], cwd: picked.target, viteApp: picked.target };
  if (picked.kind === 'url') {
    const folder = root ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return { kind: 'page', target: picked.target, args: [], cwd: folder ?? process.cwd(), ...(folder ? { pageRoot: folder } : {}) };
  }
  return { kind: 'page', target: picked.target, args: [], cwd: defaultCwd(picked.target), pageRoot: root ?? path.dirname(picked.target) };
}

export const debugPage: Command = ({ context, controller, panelHost }) => async (arg?: unknown) => {
  if (!ensureTrusted('page')) return;
  const picked = (await targetArg(arg)) ?? (arg === undefined ? await pickPage(context.workspaceState) : undefined);
  if (!picked) return;
  if (picked.kind === 'file' && !/\.html?$/i.test(picked.target)) {
    void vscode.window.showErrorMessage(`TF.js Debugger: ${path.basename(picked.target)} is not an .html file. Give a URL, an .html file, or a Vite app's folder.`);
    return;
  }
  await rememberTarget(context.workspaceState, picked.target);
  const run = await controller.start(pageRequest(picked));
  if (run) DebuggerPanel.show(panelHost, true);
};
