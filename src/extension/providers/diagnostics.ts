// Findings as diagnostics at the lines they name (rule id as the code), with a quick fix that shows the
// layer in the panel.
import * as vscode from 'vscode';
import { fileKey } from '../logic/locations.ts';
import { COMMANDS, type ShowLayerArgs } from '../logic/presentation.ts';
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

export class FindingsDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  private readonly collection = vscode.languages.createDiagnosticCollection('tfjsDebugger');
  private readonly refresh = new Throttle(() => this.update(), 500);
  private readonly disposables: vscode.Disposable[];
  private placed = new Map<string, PlacedProblem[]>();
  /** The run each file's problems come from, by fileKey. */
  private runOf = new Map<string, string>();

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
    this.placed = new Map();
    this.runOf = new Map();
    for (const run of this.store.selectedRuns()) {
      for (const [file, problems] of problemsByFile(run.report(), this.sources.tracker)) {
        if (this.store.runForFile(file) !== run) continue;
        this.placed.set(file, problems);
        this.runOf.set(file, run.id);
      }
    }
    this.collection.clear();
    const docs = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [fileKey(d.uri.fsPath), d]));
    for (const [file, problems] of this.placed) {
      const doc = docs.get(fileKey(file));
      this.collection.set(vscode.Uri.file(file), problems.map((p) => {
        const line = p.at.line - 1;
        const start = p.at.column - 1;
        const end = doc && line < doc.lineCount ? Math.max(start, doc.lineAt(line).range.end.character) : start;
        const d = new vscode.Diagnostic(new vscode.Range(line, start, line, end), p.message, SEVERITY[p.severity]);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = p.code;
        return d;
      }));
    }
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const runId = this.runOf.get(fileKey(doc.uri.fsPath));
    if (!runId) return [];
    const here = this.placed.get(fileKey(doc.uri.fsPath)) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const problem = here.find((p) => p.code === diagnostic.code && p.at.line - 1 === diagnostic.range.start.line);
      const action = new vscode.CodeAction('Show in TF.js Debugger', vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = problem?.layer != null
        ? { title: action.title, command: COMMANDS.showLayer, arguments: [{ runId, layer: problem.layer } satisfies ShowLayerArgs] }
        : { title: action.title, command: COMMANDS.showPanel };
      actions.push(action);
    }
    return actions;
  }

  dispose(): void {
    this.refresh.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
