// The messages between the extension host and the panel's webview, both ways, and the checks each side applies
// to what it receives: a webview is a browser page, and anything may arrive from it (or, in a page built by
// someone else, at it).
import { isObj } from './checks.ts';
import { isRunReport, isSourceLocation, type RunReport, type SourceLocation } from './report.ts';
import type { RunnerEvent } from './runnerEvents.ts';

/** Messages the extension host posts to the webview panel. */
export type HostToWebview =
  /** The whole state: sent after `ready`, on restore, and when the shown run changes. */
  | { type: 'report'; report: RunReport | null }
  /** Live events of the shown run, batched (at most about 20 messages a second). */
  | { type: 'events'; events: RunnerEvent[] }
  /** The run ended (any way): the final report, findings included. */
  | { type: 'run-ended'; report: RunReport }
  /** Show one layer's detail (from the sidebar, a hover link or CodeLens). */
  | { type: 'select-layer'; layer: number };

/** Messages the webview posts to the extension host. Validated with isWebviewToHost before use. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'reveal-source'; source: SourceLocation }
  | { type: 'select-layer'; layer: number }
  | { type: 'command'; command: WebviewCommand };

export const WEBVIEW_COMMANDS = ['rerun', 'stop', 'export-json', 'export-html'] as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];

/** Checks a message from the webview against the protocol; anything else is to be ignored and logged. */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'reveal-source':
      return isSourceLocation(x.source);
    case 'select-layer':
      return Number.isInteger(x.layer) && (x.layer as number) > 0;
    case 'command':
      return (WEBVIEW_COMMANDS as readonly unknown[]).includes(x.command);
    default:
      return false;
  }
}

/** Checks a message from the host; anything else is ignored by the webview. */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'report':
      return x.report === null || isRunReport(x.report);
    case 'run-ended':
      return isRunReport(x.report);
    case 'events':
      return Array.isArray(x.events) && x.events.every((e) => isObj(e) && typeof e.type === 'string');
    case 'select-layer':
      return Number.isInteger(x.layer);
    default:
      return false;
  }
}
