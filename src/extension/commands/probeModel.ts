// tfjsDebugger.probeModel: probes a saved model (model.json): the file given, else the active editor's, else one
// the user picks from the workspace's model.json files (recent first); with a synthetic batch or a data file the user picks ({dataFile} in the second argument skips
// the question: tests, other extensions).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { basename } from '../../model/format.ts';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';
import { activeFile, fileArg, localFile, saveIfDirty } from './files.ts';
import { pickModel } from './pickers.ts';
import { rememberTarget } from '../logic/recent.ts';

/** The batch to probe with: a data file, undefined for a synthetic one, or null when the user cancelled. */
async function chooseData(model: vscode.Uri, options: unknown): Promise<string | undefined | null> {
  const given = (options as { dataFile?: unknown } | undefined)?.dataFile;
  if (typeof given === 'string' && path.isAbsolute(given)) return given;
  if (given === null) return undefined;
  const pick = await vscode.window.showQuickPick([
    { label: 'Synthetic batch', description: 'seeded random inputs of the model\'s input shape', data: false },
    { label: 'Choose a data file…', description: 'JSON {x, y} of nested arrays', data: true },
  ], { title: `Probe ${basename(model.fsPath)} with` });
  if (!pick) return null;
  if (!pick.data) return undefined;
  const file = (await vscode.window.showOpenDialog({
    canSelectMany: false, openLabel: 'Use Data', defaultUri: vscode.Uri.file(path.dirname(model.fsPath)), filters: { JSON: ['json'] },
  }))?.[0]?.fsPath;
  return file ?? null;
}

export const probeModel: Command = ({ context, controller, panelHost }) => async (arg?: unknown, options?: unknown) => {
  const picked = fileArg(arg) ?? activeFile(/\.json$/i) ?? (arg === undefined ? await pickModel(context.workspaceState) : undefined);
  const uri = typeof picked === 'string' ? vscode.Uri.file(picked) : picked;
  if (!uri || !localFile(uri)) return;
  const dataFile = await chooseData(uri, options);
  if (dataFile === null) return;
  if (!(await saveIfDirty(uri))) return;
  await rememberTarget(context.workspaceState, uri.fsPath);
  const run = await controller.start({ kind: 'probe', target: uri.fsPath, args: [], cwd: path.dirname(uri.fsPath), dataFile });
  if (run) DebuggerPanel.show(panelHost, true);
};
