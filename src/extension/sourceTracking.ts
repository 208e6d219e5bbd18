// Feeds the LocationTracker from VS Code: text changes of open documents, documents opened (checked against
// the text remembered for each location), and the run lifecycle. Saves the tracked places with the last run,
// so after a reload hovers, CodeLens and diagnostics land on the right lines or are dropped when stale.
import * as vscode from 'vscode';
import { fileKey, LocationTracker, parseTrackedAnchors, type LineReader } from './logic/locations.ts';
import type { RunStore, StateStorage } from './logic/runStore.ts';
import { reportLocations } from './logic/sourceIndex.ts';

const LOCATIONS_KEY = 'tfjsDebugger.locations';
const SAVE_DELAY_MS = 1000;

function documentReader(doc: vscode.TextDocument): LineReader {
  return (line) => (line >= 1 && line <= doc.lineCount ? doc.lineAt(line - 1).text : undefined);
}

function textReader(text: string): LineReader {
  const lines = text.split(/\r\n|\r|\n/);
  return (line) => (line >= 1 && line <= lines.length ? lines[line - 1] : undefined);
}

export class SourceTracking implements vscode.Disposable {
  readonly tracker = new LocationTracker();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when tracked places moved or went stale, or the shown run changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private saveTimer: NodeJS.Timeout | undefined;
  private trackedRunId: string | null = null;

  constructor(private readonly store: RunStore, private readonly storage: StateStorage) {
    const shown = store.shown;
    if (shown && !shown.running) {
      const saved = storage.get(LOCATIONS_KEY) as { runId?: unknown; anchors?: unknown } | undefined;
      this.trackedRunId = shown.id;
      this.tracker.reset(saved?.runId === shown.id ? parseTrackedAnchors(saved.anchors) : []);
      void this.checkAll();
    }
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== 'file' || e.contentChanges.length === 0) return;
        if (this.tracker.applyChanges(e.document.uri.fsPath, e.contentChanges, documentReader(e.document))) {
          this.changed.fire();
          this.scheduleSave();
        }
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (doc.uri.scheme === 'file' && this.tracker.verify(doc.uri.fsPath, documentReader(doc))) {
          this.changed.fire();
          this.scheduleSave();
        }
      }),
      store.onDidChange((change) => {
        if (change.type === 'run-start' || change.type === 'cleared') {
          // A new baseline: the run reads the files as they are now.
          this.tracker.reset();
          this.trackedRunId = change.type === 'run-start' ? change.run.id : null;
          if (change.type === 'cleared') void this.storage.update(LOCATIONS_KEY, undefined);
          this.changed.fire();
        } else if (change.type === 'run-end') {
          void this.checkAll();
        }
      }),
    );
  }

  /** Registers every place of the shown report and checks it against the files' current text. */
  private async checkAll(): Promise<void> {
    const run = this.store.shown;
    if (!run) return;
    for (const loc of reportLocations(run.report())) this.tracker.locate(loc);
    let changed = false;
    for (const file of this.tracker.trackedFiles()) {
      const reader = await this.readerFor(file);
      if (this.store.shown !== run) return;
      if (reader && this.tracker.verify(file, reader)) changed = true;
    }
    if (changed) this.changed.fire();
    this.save();
  }

  private async readerFor(file: string): Promise<LineReader | null> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && fileKey(d.uri.fsPath) === fileKey(file));
    if (open) return documentReader(open);
    try {
      return textReader(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file))));
    } catch {
      return null;
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
  }

  private save(): void {
    const run = this.store.shown;
    if (!run || run.running || run.id !== this.trackedRunId) return;
    void this.storage.update(LOCATIONS_KEY, { runId: run.id, anchors: this.tracker.save() });
  }

  dispose(): void {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.save();
    }
    for (const d of this.disposables) d.dispose();
  }
}
