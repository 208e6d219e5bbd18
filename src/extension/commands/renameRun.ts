// tfjsDebugger.renameRun: gives a run a name of the user's ("before the fix"); empty: its file name again.
import * as vscode from 'vscode';
import { runName } from '../logic/runLabels.ts';
import type { Command } from './deps.ts';
import { pickRun, runFromArg } from './runArgs.ts';

export const renameRun: Command = ({ store }) => async (arg?: unknown, name?: unknown) => {
  const run = runFromArg(store, arg) ?? (await pickRun(store.runs(), 'TF.js Debugger: Rename Run', 'The run to rename'));
  if (!run) return;
  const value = typeof name === 'string' ? name : await vscode.window.showInputBox({
    title: 'TF.js Debugger: Rename Run',
    prompt: 'A name for this run (empty: its file name)',
    value: runName(run),
    validateInput: (v) => (v.length > 100 ? 'At most 100 characters.' : undefined),
  });
  if (value === undefined) return;
  await store.rename(run.id, value);
};
