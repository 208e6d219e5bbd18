// A CodeLens above the construction line of each layer with something to say (mode-dependent, a finding, a
// share of the loss gap): class, mode inside gradient calls, share of the gap. Off with tfjsDebugger.codeLens.enabled.
import * as vscode from 'vscode';
import { codeLensTitle, COMMANDS, hasCodeLens, type ShowLayerArgs } from '../logic/presentation.ts';
import { readEditorSettings } from '../logic/settings.ts';
import type { RunStore } from '../logic/runStore.ts';
import { layersInFile } from '../logic/sourceIndex.ts';
import type { SourceTracking } from '../sourceTracking.ts';
import { Throttle } from '../logic/throttle.ts';

export class LayerCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly refresh = new Throttle(() => this.changed.fire(), 500);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly store: RunStore, private readonly sources: SourceTracking) {
    this.disposables = [
      this.changed,
      // Live runs: modes change with each gradient call, new layers appear; another run opened for a file.
      store.onDidChange(() => this.refresh.request()),
      sources.onDidChange(() => this.refresh.request()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tfjsDebugger.codeLens')) this.changed.fire();
      }),
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme !== 'file') return [];
    if (!readEditorSettings((key) => vscode.workspace.getConfiguration('tfjsDebugger', doc.uri).get(key)).codeLens) return [];
    // The run selected for this file (the one opened last for it, else its newest).
    const run = this.store.runForFile(doc.uri.fsPath);
    if (!run) return [];
    const report = run.report();
    return layersInFile(report, this.sources.tracker, doc.uri.fsPath)
      .filter((p) => hasCodeLens(report, p.layer) && p.at.line <= doc.lineCount)
      .map((p) => new vscode.CodeLens(new vscode.Range(p.at.line - 1, 0, p.at.line - 1, 0), {
        title: codeLensTitle(report, p.layer),
        tooltip: `${p.layer.name}: show in TF.js Debugger`,
        command: COMMANDS.showLayer,
        arguments: [{ runId: run.id, layer: p.layer.id } satisfies ShowLayerArgs],
      }));
  }

  dispose(): void {
    this.refresh.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
