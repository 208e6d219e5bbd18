// tfjsDebugger.compareRuns: two runs side by side in the panel (losses and findings): "before the fix, after the
// fix". Arguments: the two run ids (or sidebar nodes); missing ones are picked, the older run first.
import * as vscode from 'vscode';
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';
import { pickRun, runFromArg } from './runArgs.ts';

export const compareRuns: Command = ({ store, panelHost }) => async (first?: unknown, second?: unknown) => {
  // From a sidebar menu, VS Code passes the node clicked and the list of selected nodes.
  const selected = Array.isArray(second) ? second.map((a) => runFromArg(store, a)).filter((r) => r !== undefined) : [];
  let a = runFromArg(store, first);
  let b = selected.find((r) => r !== a) ?? (Array.isArray(second) ? undefined : runFromArg(store, second));
  if (store.runs().length < 2) {
    void vscode.window.showInformationMessage('TF.js Debugger: comparing needs two runs; run the script again first.');
    return;
  }
  a ??= await pickRun(store.runs(), 'TF.js Debugger: Compare Runs (1/2)', 'The first run');
  if (!a) return;
  const first_ = a;
  b ??= await pickRun(store.runs().filter((r) => r !== first_), 'TF.js Debugger: Compare Runs (2/2)', `Compare ${first_.id === store.shown?.id ? 'the shown run' : 'it'} with`);
  if (!b) return;
  // The older run on the left ("before"), the newer on the right ("after").
  const [before, after] = a.startedAt <= b.startedAt ? [a, b] : [b, a];
  DebuggerPanel.compare(panelHost, before.id, after.id);
};
