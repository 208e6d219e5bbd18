// tfjsDebugger.openRun: shows a run in the panel (from the sidebar, or any run of the history picked by the user);
// its script's Problems and CodeLens follow it.
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';
import { pickRun, runFromArg } from './runArgs.ts';

export const openRun: Command = ({ store, panelHost }) => async (arg?: unknown) => {
  const run = runFromArg(store, arg) ?? (await pickRun(store.runs(), 'TF.js Debugger: Open Run', 'The run to show in the panel'));
  if (!run) return;
  store.show(run.id);
  DebuggerPanel.show(panelHost, true);
};
