// What every command handler may use, and the shape of one: each command is a module that makes its handler
// from these (index.ts registers them under their ids).
import type * as vscode from 'vscode';
import type { PanelHost } from '../panel/debuggerPanel.ts';
import type { RunController } from '../runController.ts';
import type { RunStore } from '../logic/runStore.ts';
import type { ScriptTerminal } from '../scriptTerminal.ts';
import type { SourceTracking } from '../sourceTracking.ts';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  store: RunStore;
  controller: RunController;
  sources: SourceTracking;
  panelHost: PanelHost;
  log(message: string): void;
  /** The debugger's output channel, and the terminal that shows the scripts' own output. */
  output: vscode.OutputChannel;
  terminal: ScriptTerminal;
}

/** Makes a command's handler. Arguments come from menus, links, other extensions and tests: check them. */
export type Command = (deps: CommandDeps) => (...args: unknown[]) => unknown;
