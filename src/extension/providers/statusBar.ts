// The run's progress in the status bar, only while a run is in progress (no notification toast): a spinner, the
// file and the gradient call count, "stopping…" once Stop is pressed; click shows the panel. It refreshes on the
// store's own beat (StoreChange 'progress', 'status'), as the sidebar and the panel do, so the three agree.
import * as vscode from 'vscode';
import { plural } from '../../model/format.ts';
import { COMMANDS } from '../logic/presentation.ts';
import { runName } from '../logic/runLabels.ts';
import type { RunStore } from '../logic/runStore.ts';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tfjsDebugger.run', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.item.name = 'TF.js Debugger run';
    this.item.command = COMMANDS.showPanel;
    this.subscription = store.onDidChange((c) => {
      if (c.type !== 'shown' && c.type !== 'runs') this.update();
    });
    this.update();
  }

  private update(): void {
    const run = this.store.current;
    if (!run) {
      this.item.hide();
      return;
    }
    const name = runName(run);
    const calls = plural(run.gradientCallCount, 'gradient call');
    if (run.phase === 'stopping') {
      this.item.text = `$(loading~spin) TF.js: stopping… · ${calls}`;
      this.item.tooltip = `TF.js Debugger is stopping ${name}.`;
    } else {
      this.item.text = `$(sync~spin) TF.js: ${calls}`;
      this.item.tooltip = `TF.js Debugger is running ${name}: ${calls}. Click to show the panel (Stop is there).`;
    }
    this.item.accessibilityInformation = { label: `TF.js Debugger ${run.phase === 'stopping' ? 'stopping' : 'running'} ${name}, ${calls}`, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
