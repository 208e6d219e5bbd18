// tfjsDebugger.openExample: copies the bundled example into a folder (next to an identical copy, or under a new
// name beside a different file of that name), opens it and debugs it.
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

export const openExample: Command = (deps) => async (folderArg?: unknown) => {
  // Refused before any file is copied; the launch path checks again.
  if (!ensureTrusted('script')) return;
  const folder = fileArg(folderArg) ?? (await vscode.window.showOpenDialog({
    canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Copy Example Here',
    title: `Copy ${EXAMPLE} into a folder`, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  }))?.[0];
  if (!folder || !localFile(folder)) return;
  const content = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(deps.context.extensionUri, 'examples', EXAMPLE));
  const dest = await placeExample(folder, content);
  await vscode.window.showTextDocument(dest, { preview: false });
  await debugScript(deps)(dest);
};
