// tfjsDebugger.revealSource: opens a file at a place from a run, where that code is now (the places follow the
// user's edits: SourceTracking).
import * as vscode from 'vscode';
import type { SourceLocation } from '../../protocol/report.ts';
import { COMMANDS } from '../logic/presentation.ts';
import { parseSourceArg } from '../logic/messages.ts';
import type { SourceTracking } from '../sourceTracking.ts';
import type { Command } from './deps.ts';

/** Opens a file at a place from a run, where that code is now. */
export async function revealLocation(loc: SourceLocation, sources: SourceTracking): Promise<void> {
  const now = sources.tracker.locate(loc);
  if (!now) vscode.window.setStatusBarMessage('TF.js Debugger: that code changed since the run; showing the line the run saw.', 5000);
  const at = now ?? loc;
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(at.file));
    const line = Math.min(at.line, doc.lineCount) - 1;
    const pos = new vscode.Position(line, Math.min(at.column - 1, doc.lineAt(line).text.length));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true, viewColumn: vscode.ViewColumn.One });
  } catch (e) {
    void vscode.window.showErrorMessage(`TF.js Debugger: could not open ${at.file}: ${(e as Error).message}`);
  }
}

export const revealSource: Command = ({ sources, log }) => (arg?: unknown) => {
  const loc = parseSourceArg(arg);
  if (!loc) {
    log(`Ignored ${COMMANDS.revealSource} with invalid arguments.`);
    return;
  }
  void revealLocation(loc, sources);
};
