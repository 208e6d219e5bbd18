// tfjsDebugger.deleteRun: removes a finished run from the history (and its stored report). A run in progress is
// stopped first, not deleted.
import * as vscode from 'vscode';
import { runTitle } from '../logic/runLabels.ts';
import type { Command } from './deps.ts';
import { pickRun, runFromArg } from './runArgs.ts';

export const deleteRun: Command = ({ store }) => async (arg?: unknown) => {
  const run = runFromArg(store, arg) ?? (await pickRun(store.runs().filter((r) => !r.running), 'TF.js Debugger: Delete Run', 'The run to delete'));
  if (!run) return;
  if (run.running) {
    void vscode.window.showInformationMessage('TF.js Debugger: stop the run before deleting it.');
    return;
  }
  if (!(await store.remove(run.id))) return;
  vscode.window.setStatusBarMessage(`TF.js Debugger: deleted ${runTitle(run)}.`, 4000);
};
