// Findings as diagnostics at the lines they name (rule id as the code); their code actions are quickFixes.ts.
import * as vscode from 'vscode';
import { fileKey } from '../logic/locations.ts';
import type { RunStore } from '../logic/runStore.ts';
import { problemsByFile, type PlacedProblem } from '../logic/sourceIndex.ts';
import type { SourceTracking } from '../sourceTracking.ts';
import { Throttle } from '../logic/throttle.ts';

const SEVERITY: Record<PlacedProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export const DIAGNOSTIC_SOURCE = 'TF.js Debugger';

export class FindingsDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('tfjsDebugger');
  private readonly refresh = new Throttle(() => this.update(), 500);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly store: RunStore, private readonly sources: SourceTracking) {
    this.disposables = [
      this.collection,
      store.onDidChange(() => this.refresh.request()),
      sources.onDidChange(() => this.refresh.request()),
      vscode.workspace.onDidOpenTextDocument(() => this.refresh.request()),
    ];
    this.update();
  }

  private update(): void {
    // Each file's problems come from the run selected for it (RunStore.runForFile).
    const placed = new Map<string, PlacedProblem[]>();
    for (const run of this.store.selectedRuns()) {
      for (const [file, problems] of problemsByFile(run.report(), this.sources.tracker)) {
        if (this.store.runForFile(file) !== run) continue;
        placed.set(file, problems);
      }
    }
    this.collection.clear();
    const docs = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [fileKey(d.uri.fsPath), d]));
    for (const [file, problems] of placed) {
      const doc = docs.get(fileKey(file));
      this.collection.set(vscode.Uri.file(file), problems.map((p) => {
        const line = p.at.line - 1;
        const start = p.at.column - 1;
        const end = doc && line < doc.lineCount ? Math.max(start, doc.lineAt(line).range.end.character) : start;
        const d = new vscode.Diagnostic(new vscode.Range(line, start, line, end), p.message, SEVERITY[p.severity]);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = p.code;
        d.relatedInformation = p.details.flatMap((r) => {
          const at = this.sources.tracker.locate(r.at);
          return at ? [new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(at.file), new vscode.Position(at.line - 1, Math.max(0, at.column - 1))), r.message)] : [];
        });
        return d;
      }));
    }
  }

  dispose(): void {
    this.refresh.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
