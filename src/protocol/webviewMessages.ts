// The messages between the extension host and the panel's webview, both ways, and the checks each side applies
// to what it receives: a webview is a browser page, and anything may arrive from it (or, in a page built by
// someone else, at it).
import { isArray, isInt, isObj, isStr, listOf, optional, shape } from './checks.ts';
import {
  isRunReport, isSourceLocation,
  type Finding, type GradientCallRecord, type LayerInfo, type LayerTotals, type LeakSite, type RunReport, type SourceLocation,
} from './report.ts';

/** A report's own fields: everything but its lists. */
export type ReportHeader = Omit<RunReport, 'layers' | 'gradientCalls' | 'layerTotals' | 'leakSites' | 'findings' | 'logs'>;

/** What changed in a live run's report from one version of the host's fold (src/host/liveReport.ts) to another;
 *  the panel applies it to the report it holds (src/model/reportUpdate.ts), so a live run costs it what changed,
 *  not the whole report. */
export interface ReportUpdate {
  /** The version the update applies to (0: nothing yet; the update then holds the whole report), and the one
   *  it brings the report to. */
  from: number;
  to: number;
  header: ReportHeader;
  /** Layers new or changed since `from`. */
  layers: LayerInfo[];
  /** The index of every gradient call the report keeps, in order. */
  callIndexes: number[];
  /** The kept calls that are new or changed (thinned by the history) since `from`. */
  calls: GradientCallRecord[];
  /** Per-layer totals new or changed since `from`. */
  layerTotals: LayerTotals[];
  /** The leak sites, when they changed since `from`. */
  leakSites?: LeakSite[];
  /** Every finding now (a short list). */
  findings: Finding[];
  /** Log lines added since `from`. */
  logs: string[];
}

/** Messages the extension host posts to the webview panel. */
export type HostToWebview =
  /** The whole state: sent after `ready`, on restore, and when the shown run changes. A live run's report comes
   *  with the version of the host's fold it was taken at; updates follow from there. */
  | { type: 'report'; report: RunReport | null; version?: number }
  /** What changed in the shown live run (at most about 20 messages a second). */
  | { type: 'update'; update: ReportUpdate }
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

export const WEBVIEW_COMMANDS = ['rerun', 'stop', 'export-json', 'export-html', 'show-output'] as const;
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

const isReportUpdate = shape({
  from: isInt, to: isInt, header: isObj, layers: isArray, callIndexes: listOf(isInt), calls: isArray, layerTotals: isArray,
  leakSites: optional(isArray), findings: isArray, logs: listOf(isStr),
});

/** Checks a message from the host; anything else is ignored by the webview. */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'report':
      return (x.report === null || isRunReport(x.report)) && (x.version === undefined || isInt(x.version));
    case 'run-ended':
      return isRunReport(x.report);
    case 'update':
      return isReportUpdate(x.update);
    case 'select-layer':
      return Number.isInteger(x.layer);
    default:
      return false;
  }
}
