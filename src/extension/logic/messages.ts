// Checks on what reaches the host from outside its own code: webview messages and command arguments (from
// hover links, tree items, other extensions, tests). Invalid input is ignored and logged, never trusted.
// Pure: no vscode import.
import type { SourceLocation } from '../../protocol/report.ts';
import { isWebviewToHost, type WebviewToHost } from '../../protocol/webviewMessages.ts';
import type { ShowLayerArgs } from './presentation.ts';

export type Log = (message: string) => void;

/** The message if it is one the protocol allows, else null (and a log line, without echoing large input). */
export function acceptWebviewMessage(raw: unknown, log: Log): WebviewToHost | null {
  if (isWebviewToHost(raw)) return raw;
  let shown: string;
  try {
    shown = JSON.stringify(raw) ?? String(raw);
  } catch {
    shown = String(raw);
  }
  log(`Ignored an invalid message from the panel: ${shown.length > 200 ? shown.slice(0, 200) + '…' : shown}`);
  return null;
}

const RUN_ID = /^[\w.-]{1,100}$/;

/** Arguments of tfjsDebugger.showLayer: `{runId, layer}`; a tree node's payload works too. */
export function parseShowLayerArgs(raw: unknown): ShowLayerArgs | null {
  const a = raw as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) return null;
  const layer = a.layer;
  const runId = a.runId;
  if (!Number.isInteger(layer) || (layer as number) < 1 || (layer as number) > 1e9) return null;
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) return null;
  return { runId, layer: layer as number };
}

/** Arguments of tfjsDebugger.revealSource: a SourceLocation, or an object with a `source` SourceLocation. */
export function parseSourceArg(raw: unknown): SourceLocation | null {
  const a = raw as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) return null;
  const s = (typeof a.source === 'object' && a.source !== null ? a.source : a) as Record<string, unknown>;
  const ok = typeof s.file === 'string' && s.file.length > 0 && s.file.length < 4096 &&
    Number.isInteger(s.line) && (s.line as number) >= 1 && Number.isInteger(s.column) && (s.column as number) >= 1;
  return ok ? { file: s.file as string, line: s.line as number, column: s.column as number } : null;
}

export type ExportFormat = 'json' | 'html';

export function parseExportFormat(raw: unknown): ExportFormat | null {
  return raw === 'json' || raw === 'html' ? raw : null;
}

/**
 * Arguments of tfjsDebugger.exportReport: at most a format ('json' or 'html'; else the user picks one). A report
 * is written only where the user chose in the save dialog, so anything more (a path, a Uri from another
 * extension or a link) is refused: `refused` says what was ignored, for the log.
 */
export function parseExportArgs(args: readonly unknown[]): { format: ExportFormat | null; refused: string | null } {
  const [formatArg, ...rest] = args;
  const format = parseExportFormat(formatArg);
  const extra = [...(format || formatArg === undefined ? [] : [formatArg]), ...rest.filter((a) => a !== undefined)];
  let shown = '';
  if (extra.length) {
    try {
      shown = JSON.stringify(extra) ?? String(extra);
    } catch {
      shown = String(extra);
    }
  }
  return {
    format,
    refused: extra.length ? `Ignored arguments to exportReport (${shown.length > 200 ? shown.slice(0, 200) + '…' : shown}): reports are written only where the save dialog says.` : null,
  };
}
