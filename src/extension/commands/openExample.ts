// tfjsDebugger.openExample: "Copy the BatchNorm Example and Debug It": copies the bundled example into the
// workspace folder (or one the user picks; an identical copy is reused, a different file of that name is kept and
// the copy gets a new name), opens it and debugs it.
import * as vscode from 'vscode';
import { ensureTrusted } from '../runController.ts';
import { debugScript } from './debugScript.ts';
import type { Command } from './deps.ts';
import { fileArg, localFile } from './files.ts';

const EXAMPLE = 'batchnorm-mismatch.js';

/** Where the example goes in `folder`: a copy there already, or a free name. Writes it when needed. */
async function placeExample(folder: vscode.Uri, content: Uint8Array): Promise<vscode.Uri> {
  let dest = vscode.Uri.joinPath(folder, EXAMPLE);
  for (let n = 2; ; n++) {
    let existing: Uint8Array | null;
    try {
      existing = await vscode.workspace.fs.readFile(dest);
    } catch {
      existing = null;
    }
    if (existing === null) {
      await vscode.workspace.fs.writeFile(dest, content);
      return dest;
    }
    if (Buffer.from(existing).equals(Buffer.from(content))) return dest;
    dest = vscode.Uri.joinPath(folder, EXAMPLE.replace(/\.js$/, `-${n}.js`));
  }
}

/** The workspace folder (asked only when there are several), else a folder the user picks. */
async function chooseFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0].uri;
  if (folders.length > 1) {
    const pick = await vscode.window.showQuickPick(folders.map((f) => ({ label: f.name, description: f.uri.fsPath, uri: f.uri })), { title: `Copy ${EXAMPLE} into which folder?` });
    return pick?.uri;
  }
  return (await vscode.window.showOpenDialog({
    canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Copy Example Here', title: `Copy ${EXAMPLE} into a folder`,
  }))?.[0];
}

export const openExample: Command = (deps) => async (folderArg?: unknown) => {
  // Refused before any file is copied; the launch path checks again.
  if (!ensureTrusted('script')) return;
  const folder = fileArg(folderArg) ?? (await chooseFolder());
  if (!folder || !localFile(folder)) return;
  const content = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(deps.context.extensionUri, 'examples', EXAMPLE));
  const dest = await placeExample(folder, content);
  await vscode.window.showTextDocument(dest, { preview: false });
  await debugScript(deps)(dest);
};
