// The status bar item while a run is in progress: a spinner and the gradient call count; click shows the panel.
import * as vscode from 'vscode';
import { basename, plural } from '../../model/format.ts';
import { COMMANDS } from '../logic/presentation.ts';
import type { RunStore } from '../logic/runStore.ts';
import { Throttle } from '../logic/throttle.ts';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tfjsDebugger.run', vscode.StatusBarAlignment.Left, 50);
  private readonly refresh = new Throttle(() => this.update(), 250);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.item.name = 'TF.js Debugger run';
    this.item.command = COMMANDS.showPanel;
    this.subscription = store.onDidChange(() => this.refresh.request());
    this.update();
  }

  private update(): void {
    const run = this.store.current;
    if (!run) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) TF.js: ${plural(run.gradientCallCount, 'gradient call')}`;
    this.item.tooltip = `TF.js Debugger is running ${basename(run.request.target)}. Click to show the panel.`;
    this.item.show();
  }

  dispose(): void {
    this.refresh.dispose();
    this.subscription.dispose();
    this.item.dispose();
  }
}
