// The run a history command is about: a run id (from a link or a test), a sidebar node ({runId}), or, with
// neither, the one the user picks (newest first, labelled with time and outcome).
import * as vscode from 'vscode';
import { runDetail, runName } from '../logic/runLabels.ts';
import type { RunEntry, RunStore } from '../logic/runStore.ts';

/** The run an argument names, if it names one. */
export function runFromArg(store: RunStore, arg: unknown): RunEntry | undefined {
  const id = typeof arg === 'string' ? arg
    : typeof arg === 'object' && arg !== null && typeof (arg as { runId?: unknown }).runId === 'string' ? (arg as { runId: string }).runId
    : null;
  return id ? store.get(id) : undefined;
}

/** Asks for a run among `runs`. */
export async function pickRun(runs: readonly RunEntry[], title: string, placeHolder: string): Promise<RunEntry | undefined> {
  if (runs.length === 0) return undefined;
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: runName(run), description: runDetail(run), detail: run.request.target, run })),
    { title, placeHolder, matchOnDescription: true },
  );
  return picked?.run;
}
