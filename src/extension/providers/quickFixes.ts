// Ctrl+. on the debugger's diagnostics: one code action per finding that has a fix in the file, titled by what it
// does ("Set momentum: 0.9 on batchNormalization"), its "…, then re-run and compare" twin (the edit, then
// tfjsDebugger.rerunAndCompare), and "Show in TF.js Debugger" once. The fixes bundle is loaded on the first
// request (fixesBundle.ts).
import * as vscode from 'vscode';
import { COMMANDS, type ShowLayerArgs } from '../logic/presentation.ts';
import { planCodeActions, rerunTitle, type DiagnosticRef } from '../logic/quickFixes.ts';
import type { RunStore } from '../logic/runStore.ts';
import type { SourceTracking } from '../sourceTracking.ts';
import type { TextEdit } from '../../fixes/edits.ts';
import { loadFixes } from '../fixesBundle.ts';
import { DIAGNOSTIC_SOURCE } from './diagnostics.ts';
import type { RerunAndCompareArgs } from '../commands/rerunAndCompare.ts';

export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(
    private readonly store: RunStore,
    private readonly sources: SourceTracking,
    private readonly distDir: string,
    private readonly log: (message: string) => void,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0 || doc.uri.scheme !== 'file') return [];
    // The run this file's problems come from (FindingsDiagnostics: RunStore.runForFile).
    const run = this.store.runForFile(doc.uri.fsPath);
    if (!run) return [];
    const refs: DiagnosticRef[] = ours.map((d) => ({ code: String(d.code ?? ''), line: d.range.start.line }));
    let plan;
    try {
      const { fixesFor } = loadFixes(this.distDir);
      plan = planCodeActions(run.report(), doc.uri.fsPath, doc.getText(), refs, (loc) => this.sources.tracker.locate(loc), fixesFor);
    } catch (e) {
      this.log(`Could not compute quick fixes: ${(e as Error).message}`);
      return [];
    }
    const actions: vscode.CodeAction[] = [];
    for (const { finding, fix } of plan.fixes) {
      const diagnostics = ours.filter((d) => d.code === finding.rule);
      const edit = workspaceEdit(doc, fix.edits);
      const apply = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      apply.edit = edit;
      apply.diagnostics = diagnostics;
      apply.isPreferred = actions.length === 0;
      const rerun = new vscode.CodeAction(rerunTitle(fix), vscode.CodeActionKind.QuickFix);
      rerun.edit = edit;
      rerun.diagnostics = diagnostics;
      rerun.command = { title: rerun.title, command: COMMANDS.rerunAndCompare, arguments: [{ runId: run.id, file: doc.uri.fsPath } satisfies RerunAndCompareArgs] };
      actions.push(apply, rerun);
    }
    if (plan.show) {
      const show = new vscode.CodeAction('Show in TF.js Debugger', vscode.CodeActionKind.QuickFix);
      show.diagnostics = ours;
      show.command = plan.showLayer != null
        ? { title: show.title, command: COMMANDS.showLayer, arguments: [{ runId: run.id, layer: plan.showLayer } satisfies ShowLayerArgs] }
        : { title: show.title, command: COMMANDS.showPanel };
      actions.push(show);
    }
    return actions;
  }
}

function workspaceEdit(doc: vscode.TextDocument, edits: TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
  return edit;
}
