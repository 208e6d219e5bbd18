// What a code fix is: a title that says what it does, and text edits on the file it was computed from.
// Pure: the extension turns a fix into a WorkspaceEdit, the tests apply it to the text.

export interface TextEdit {
  /** Offsets in the source text. */
  start: number;
  end: number;
  text: string;
}

export interface SourceFix {
  title: string;
  edits: TextEdit[];
}

/** The text with the edits applied (they must not overlap). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}
