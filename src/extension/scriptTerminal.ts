// The script's output in the Terminal panel: a Pseudoterminal the extension owns (the runner stays a child
// process of the extension host; the terminal only shows what it prints). Colours are kept (the runner gets
// FORCE_COLOR), Ctrl-C sends SIGINT to the script's process group as a shell would, and closing the terminal
// while a run goes stops it. One terminal, reused by every run; a terminal closed after a run is opened again,
// with the last run's output, by tfjsDebugger.showOutput.
import * as vscode from 'vscode';
import { ReplayBuffer, terminalText } from './logic/terminalText.ts';

export const TERMINAL_NAME = 'TF.js Debugger';

/** What a run does with its output, and how the terminal reaches the run. */
export interface RunOutput {
  /** Added to the runner's environment. */
  readonly env: Record<string, string>;
  write(chunk: string): void;
  /** The run ended; `summary` is the debugger's line about how. */
  end(summary: string): void;
}

export interface RunControl {
  /** Ctrl-C: SIGINT to the script, as in a shell. */
  interrupt(): void;
  /** The terminal was closed: the run stops. */
  stop(): void;
}

const DIM = (text: string) => `\u001b[2m${text}\u001b[22m`;

export class ScriptTerminal implements vscode.Disposable {
  private terminal: vscode.Terminal | null = null;
  private readonly writes = new vscode.EventEmitter<string>();
  /** The terminal's pty was opened: writes go to it; until then they wait in `replay`. */
  private opened = false;
  /** The current (or last) run's output, shown again when the terminal is opened. */
  private readonly replay = new ReplayBuffer();
  private control: RunControl | null = null;
  private readonly disposables: vscode.Disposable[] = [this.writes];

  constructor() {
    this.disposables.push(vscode.window.onDidCloseTerminal((t) => {
      if (t !== this.terminal) return;
      this.terminal = null;
      this.opened = false;
      // As closing a shell's terminal ends what runs in it.
      this.control?.stop();
    }));
  }

  /** A run's output sink: the terminal is shown (focus stays where it is) with a header for the run. */
  begin(title: string, control: RunControl): RunOutput {
    const separate = this.opened && !this.replay.empty;
    this.control = control;
    this.replay.clear();
    this.ensure().show(true);
    this.send(`${separate ? '\r\n' : ''}${DIM(`── ${terminalText(title)} ──`)}\r\n`);
    return {
      env: { FORCE_COLOR: '1' },
      write: (chunk) => this.send(terminalText(chunk)),
      end: (summary) => {
        if (this.control === control) this.control = null;
        this.send(`\r\n${DIM(`── ${terminalText(summary)} ──`)}\r\n`);
      },
    };
  }

  /** Whether a run has written to the terminal. */
  get hasOutput(): boolean {
    return !this.replay.empty;
  }

  /** Shows the terminal, opening it again (with the last run's output) if it was closed. */
  show(preserveFocus = false): void {
    this.ensure().show(preserveFocus);
  }

  private ensure(): vscode.Terminal {
    if (this.terminal) return this.terminal;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writes.event,
      open: () => {
        this.opened = true;
        const text = this.replay.text();
        if (text) this.writes.fire(text);
      },
      close: () => undefined,
      handleInput: (data) => {
        if (data.includes('\u0003')) this.control?.interrupt();
      },
    };
    this.terminal = vscode.window.createTerminal({ name: TERMINAL_NAME, pty, iconPath: new vscode.ThemeIcon('debug-alt'), isTransient: true });
    return this.terminal;
  }

  private send(text: string): void {
    this.replay.push(text);
    if (this.opened) this.writes.fire(text);
  }

  dispose(): void {
    this.control = null;
    this.terminal?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
