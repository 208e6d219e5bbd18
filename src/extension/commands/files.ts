// What the commands that take a file share: the file from a command argument or the active editor, local files
// only, saved before a run reads it.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SCRIPT_FILE = /\.(c|m)?(j|t)s$/i;

/** A file URI from a command argument: a Uri (menus), or a path string (tests, other extensions). */
export function fileArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && path.isAbsolute(arg)) return vscode.Uri.file(arg);
  return undefined;
}

/** The file of the active editor, when it is a saved file whose name `pattern` accepts. */
export function activeFile(pattern: RegExp): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && pattern.test(doc.fileName) && !doc.isUntitled ? doc.uri : undefined;
}

export async function saveIfDirty(uri: vscode.Uri): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return !doc?.isDirty || doc.save();
}

export function localFile(uri: vscode.Uri): boolean {
  if (uri.scheme === 'file') return true;
  void vscode.window.showErrorMessage(`TF.js Debugger runs local files only; ${uri.toString()} is not one.`);
  return false;
}
