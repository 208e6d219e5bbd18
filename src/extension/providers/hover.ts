// The hover on a layer's construction line: one short block per layer (presentation.ts), with links to this
// extension's own commands only. Off with tfjsDebugger.hovers.enabled.
import * as vscode from 'vscode';
import { HOVER_COMMANDS, hoverMarkdown } from '../logic/presentation.ts';
import type { RunStore } from '../logic/runStore.ts';
import { readEditorSettings } from '../logic/settings.ts';
import { layersOnLine } from '../logic/sourceIndex.ts';
import type { SourceTracking } from '../sourceTracking.ts';

export class LayerHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: RunStore, private readonly sources: SourceTracking) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const run = doc.uri.scheme === 'file' ? this.store.runForFile(doc.uri.fsPath) : undefined;
    if (!run) return undefined;
    if (!readEditorSettings((key) => vscode.workspace.getConfiguration('tfjsDebugger', doc.uri).get(key)).hovers) return undefined;
    const report = run.report();
    const placed = layersOnLine(report, this.sources.tracker, doc.uri.fsPath, position.line + 1);
    const line = doc.lineAt(position.line);
    // On the line's code, not on the indentation before it.
    if (placed.length === 0 || position.character < line.firstNonWhitespaceCharacterIndex) return undefined;
    const md = new vscode.MarkdownString(hoverMarkdown(report, placed.map((p) => p.layer), run.id), true);
    md.isTrusted = { enabledCommands: HOVER_COMMANDS };
    md.supportHtml = false;
    return new vscode.Hover(md, line.range.with({ start: line.range.start.with({ character: line.firstNonWhitespaceCharacterIndex }) }));
  }
}
