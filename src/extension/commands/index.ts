// Registers every command under its stable id (end-to-end tests and keybindings use them); each command's
// handler is its own module. Also what the panel's buttons run.
import * as vscode from 'vscode';
import type { WebviewCommand } from '../../protocol/webviewMessages.ts';
import { COMMANDS } from '../logic/presentation.ts';
import { clearResults } from './clearResults.ts';
import { compareRuns } from './compareRuns.ts';
import { debugPage } from './debugPage.ts';
import { debugScript } from './debugScript.ts';
import { deleteRun } from './deleteRun.ts';
import type { Command, CommandDeps } from './deps.ts';
import { exportReport } from './exportReport.ts';
import { openExample } from './openExample.ts';
import { openRun } from './openRun.ts';
import { probeModel } from './probeModel.ts';
import { renameRun } from './renameRun.ts';
import { rerunAndCompare } from './rerunAndCompare.ts';
import { revealSource } from './revealSource.ts';
import { runAgain } from './runAgain.ts';
import { showLayer } from './showLayer.ts';
import { showOutput } from './showOutput.ts';
import { showPanel } from './showPanel.ts';
import { stop } from './stop.ts';

const HANDLERS: Record<keyof typeof COMMANDS, Command> = {
  debugScript, probeModel, runAgain, stop, showPanel, exportReport, clearResults, openExample, showLayer, revealSource,
  rerunAndCompare, showOutput, debugPage,
  openRun, compareRuns, renameRun, deleteRun,
};

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return (Object.keys(HANDLERS) as (keyof typeof COMMANDS)[]).map((key) => vscode.commands.registerCommand(COMMANDS[key], HANDLERS[key](deps)));
}

/** The command each of the panel's buttons runs. */
const WEBVIEW_COMMAND: Record<WebviewCommand, { command: string; args: unknown[] }> = {
  rerun: { command: COMMANDS.runAgain, args: [] },
  stop: { command: COMMANDS.stop, args: [] },
  'export-json': { command: COMMANDS.exportReport, args: ['json'] },
  'export-html': { command: COMMANDS.exportReport, args: ['html'] },
  'show-output': { command: COMMANDS.showOutput, args: [] },
};

/** Runs a panel button's command. */
export function runWebviewCommand(command: WebviewCommand): void {
  const { command: id, args } = WEBVIEW_COMMAND[command];
  void vscode.commands.executeCommand(id, ...args);
}
