// tfjsDebugger.rerunAndCompare: after a code fix ("…, then re-run and compare"), runs the same request again and
// shows the run before the fix and the run after it side by side in the panel (its compare view), with the numbers
// that matter (the loss gap before and after, the findings that went) in a notification and the Output channel.
// The fixed file is saved first (the run reads it from disk).
import * as vscode from 'vscode';
import { compareRuns } from '../logic/fixComparison.ts';
import type { RunEntry, RunStore } from '../logic/runStore.ts';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';
import { saveIfDirty } from './files.ts';

export interface RerunAndCompareArgs {
  runId: string;
  file: string;
}

/** Resolves when the run has ended. */
function ended(store: RunStore, run: RunEntry): Promise<void> {
  if (!run.running) return Promise.resolve();
  return new Promise((resolve) => {
    const sub = store.onDidChange((c) => {
      if ((c.type === 'run-end' && c.run.id === run.id) || !run.running) {
        sub.dispose();
        resolve();
      }
    });
  });
}

export const rerunAndCompare: Command = ({ store, controller, panelHost, log, output }) => async (arg?: unknown) => {
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as Partial<RerunAndCompareArgs>;
  const previous = (typeof a.runId === 'string' ? store.get(a.runId) : undefined) ?? store.shown;
  if (!previous || previous.running) {
    void vscode.window.showInformationMessage('TF.js Debugger: no finished run to compare with. Debug the script first.');
    return;
  }
  if (typeof a.file === 'string' && !(await saveIfDirty(vscode.Uri.file(a.file)))) return;
  const beforeFix = previous.report();
  const run = await controller.start(previous.request, { announce: false });
  if (!run) return;
  DebuggerPanel.show(panelHost, true);
  await ended(store, run);
  const afterFix = run.report();
  const comparison = compareRuns(beforeFix, afterFix);
  log(comparison.headline);
  for (const line of comparison.detail) log(`  ${line}`);
  DebuggerPanel.compare(panelHost, previous.id, run.id);
  const show = comparison.closed || afterFix.findings.length === 0 ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(`TF.js Debugger: ${comparison.headline}`, 'Details');
  if (choice === 'Details') output.show(true);
};
