// Keeps source locations from a run (1-based, as the runner reports them) pointing at the same code while the
// file is edited: each text change moves the locations after it; a location inside replaced text is stale
// (null). Each location also remembers its line's text, so after a reload, or a change made while the file
// was closed, it is checked, moved to where that line went, or dropped. Pure: no vscode import.
import { isObj } from '../../protocol/checks.ts';
import type { SourceLocation } from '../../protocol/report.ts';

/** Structurally the same as vscode.TextDocumentContentChangeEvent (0-based lines and characters). */
export interface TextChange {
  readonly range: { readonly start: { readonly line: number; readonly character: number }; readonly end: { readonly line: number; readonly character: number } };
  readonly text: string;
}

/** A 1-based line and column. */
export interface LinePosition {
  line: number;
  column: number;
}

/** Reads a 1-based line of a file's current text; undefined when the text is not at hand. */
export type LineReader = (line: number) => string | undefined;

interface Anchor {
  current: LinePosition | null;
  /** The trimmed text of the anchor's line when it was last known good. */
  fingerprint?: string;
}

/** The saved state: where each original location is now, and its line's text. */
export interface TrackedAnchor {
  file: string;
  line: number;
  column: number;
  current: LinePosition | null;
  fingerprint?: string;
}

/** Edits remembered per file for locations first asked for after the edits; beyond this they are stale. */
const MAX_LOG = 5000;
/** How far from its place a line is searched for when its text no longer matches. */
const SEARCH_LINES = 300;

/** One path per file, so the runner's paths and VS Code's compare equal (Windows drive letters differ in case). */
export function fileKey(file: string): string {
  return /^[A-Za-z]:[\\/]/.test(file) ? file[0].toLowerCase() + file.slice(1).replace(/\//g, '\\') : file;
}

/** Where the 0-based position `p` is after `change`, or null when the change replaced it. */
export function movePosition(p: { line: number; character: number }, change: TextChange): { line: number; character: number } | null {
  const { start, end } = change.range;
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
    a.line < b.line || (a.line === b.line && a.character < b.character);
  if (before(p, start)) return p;
  // Text inserted exactly at the position pushes it along; a replaced range that holds it removes it.
  const isInsert = start.line === end.line && start.character === end.character;
  if (!isInsert && before(p, end)) return null;
  const lines = change.text.split(/\r\n|\r|\n/);
  const added = lines.length - 1;
  const last = lines[lines.length - 1].length;
  if (p.line === end.line) {
    const tail = p.character - end.character;
    return added === 0 ? { line: start.line, character: start.character + last + tail } : { line: start.line + added, character: last + tail };
  }
  return { line: p.line + added - (end.line - start.line), character: p.character };
}

export class LocationTracker {
  private readonly files = new Map<string, { anchors: Map<string, Anchor>; log: TextChange[]; overflow: boolean }>();

  /** Forgets every location and edit: the locations asked for next are taken as they are now. */
  reset(saved: readonly TrackedAnchor[] = []): void {
    this.files.clear();
    for (const a of saved) {
      const entry = this.file(a.file);
      entry.anchors.set(key(a.line, a.column), { current: a.current ? { ...a.current } : null, fingerprint: a.fingerprint });
    }
  }

  /** Where the code at `loc` (as the run saw it) is now, or null when it was edited away. */
  locate(loc: SourceLocation): SourceLocation | null {
    const entry = this.file(loc.file);
    const k = key(loc.line, loc.column);
    let anchor = entry.anchors.get(k);
    if (!anchor) {
      let p: { line: number; character: number } | null = { line: loc.line - 1, character: loc.column - 1 };
      if (entry.overflow) p = null;
      for (const change of entry.log) {
        if (!p) break;
        p = movePosition(p, change);
      }
      anchor = { current: p && { line: p.line + 1, column: p.character + 1 } };
      entry.anchors.set(k, anchor);
    }
    return anchor.current && { file: loc.file, line: anchor.current.line, column: anchor.current.column };
  }

  /** Applies a document's changes, in order. Returns whether any location moved or went stale. */
  applyChanges(file: string, changes: readonly TextChange[], lineText?: LineReader): boolean {
    if (changes.length === 0) return false;
    const entry = this.file(file);
    if (entry.log.length + changes.length > MAX_LOG) {
      entry.overflow = true;
      entry.log = [];
    } else if (!entry.overflow) {
      entry.log.push(...changes.map((c) => ({ range: { start: { ...c.range.start }, end: { ...c.range.end } }, text: c.text })));
    }
    let moved = false;
    const touched = new Set<Anchor>();
    for (const anchor of entry.anchors.values()) {
      if (!anchor.current) continue;
      let p: { line: number; character: number } | null = { line: anchor.current.line - 1, character: anchor.current.column - 1 };
      for (const change of changes) {
        if (!p) break;
        if (change.range.start.line <= p.line && change.range.end.line >= p.line) touched.add(anchor);
        p = movePosition(p, change);
      }
      const next = p && { line: p.line + 1, column: p.character + 1 };
      if (!next || next.line !== anchor.current.line || next.column !== anchor.current.column) moved = true;
      anchor.current = next;
    }
    // An edit on a location's own line changes that line's text: remember the new text.
    for (const anchor of touched) {
      if (!anchor.current) continue;
      const text = lineText?.(anchor.current.line);
      anchor.fingerprint = text === undefined ? undefined : text.trim();
    }
    return moved;
  }

  /**
   * Checks the file's locations against its text: a location whose line text changed is moved to the nearest
   * line with that text, or dropped. Locations with no text remembered yet remember it now.
   * Returns whether any location moved or went stale.
   */
  verify(file: string, lineText: LineReader): boolean {
    const entry = this.files.get(fileKey(file));
    if (!entry) return false;
    let changed = false;
    for (const anchor of entry.anchors.values()) {
      if (!anchor.current) continue;
      const text = lineText(anchor.current.line);
      if (anchor.fingerprint === undefined) {
        if (text !== undefined) anchor.fingerprint = text.trim();
        else {
          anchor.current = null;
          changed = true;
        }
        continue;
      }
      if (text !== undefined && text.trim() === anchor.fingerprint) continue;
      const found = anchor.fingerprint === '' ? null : nearestLine(anchor.current.line, anchor.fingerprint, lineText);
      anchor.current = found === null ? null : { line: found, column: anchor.current.column };
      changed = true;
    }
    return changed;
  }

  /** Everything tracked, to save (and `reset` with after a reload). */
  save(): TrackedAnchor[] {
    const out: TrackedAnchor[] = [];
    for (const [file, entry] of this.files) {
      for (const [k, a] of entry.anchors) {
        const [line, column] = k.split(':').map(Number);
        out.push({ file, line, column, current: a.current, ...(a.fingerprint !== undefined ? { fingerprint: a.fingerprint } : {}) });
      }
    }
    return out;
  }

  /** Files with tracked locations. */
  trackedFiles(): string[] {
    return [...this.files.keys()];
  }

  private file(file: string) {
    const k = fileKey(file);
    let entry = this.files.get(k);
    if (!entry) {
      entry = { anchors: new Map(), log: [], overflow: false };
      this.files.set(k, entry);
    }
    return entry;
  }
}

function key(line: number, column: number): string {
  return `${line}:${column}`;
}

function nearestLine(around: number, text: string, lineText: LineReader): number | null {
  for (let d = 1; d <= SEARCH_LINES; d++) {
    for (const line of [around - d, around + d]) {
      if (line >= 1 && lineText(line)?.trim() === text) return line;
    }
  }
  return null;
}

/** Validates saved tracker state read back from storage. */
export function parseTrackedAnchors(x: unknown): TrackedAnchor[] {
  if (!Array.isArray(x)) return [];
  const pos = (p: unknown) => isObj(p) && Number.isInteger(p.line) && (p.line as number) >= 1 && Number.isInteger(p.column) && (p.column as number) >= 1;
  return x.filter((a): a is TrackedAnchor => isObj(a) && typeof a.file === 'string' && pos(a) && (a.current === null || pos(a.current)) &&
    (a.fingerprint === undefined || typeof a.fingerprint === 'string'));
}
