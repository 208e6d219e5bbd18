// The messages between the extension host and the panel's webview, both ways, and the checks each side applies
// to what it receives: a webview is a browser page, and anything may arrive from it (or, in a page built by
// someone else, at it).
import { isArray, isInt, isNum, isObj, isStr, listOf, oneOf, optional, orNull, shape, type Check } from './checks.ts';
import {
  isRunReport, isSourceLocation,
  type Finding, type GradientCallRecord, type LayerInfo, type LayerTotals, type LeakSite, type RunReport, type RunStatus, type SourceLocation,
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
  /** The index of every gradient call the report keeps, in order, as inclusive ranges ([[1, 50], [9001, 9950]]:
   *  the history keeps the first calls and the most recent ones). */
  callRanges: [number, number][];
  /** The kept calls that are new or changed (thinned by the history) since `from`. A call not marked `thinned`
   *  may carry only some of its layer records (what the panel shows: src/model/reportUpdate.ts viewUpdate);
   *  they are merged into the records the receiver holds for it. */
  calls: GradientCallRecord[];
  /** Per-layer totals new or changed since `from`. */
  layerTotals: LayerTotals[];
  /** The leak sites, when they changed since `from`. */
  leakSites?: LeakSite[];
  /** Every finding now (a short list); absent when they did not change since the receiver's last list. */
  findings?: Finding[];
  /** Log lines added since `from`. */
  logs: string[];
}

/** Where a run is, as every surface shows it (panel, sidebar, status bar): running; stopping (Stop was pressed, or
 *  the timeout hit, and the runner is being ended); or how it ended. */
export type RunPhase = RunStatus | 'stopping';
export const RUN_PHASES: readonly RunPhase[] = ['running', 'stopping', 'completed', 'failed', 'timed-out', 'cancelled'];

/** The run a message is about, as the host's run list has it. */
export interface PanelRun {
  id: string;
  phase: RunPhase;
  /** The name the user gave the run, when renamed. */
  name?: string;
}

/** One gradient call's four losses, by call index; `gaps` are the positions where the history dropped calls (a
 *  point there has no values, so that lines do not bridge it). Missing values (a probe that failed, no optimizer
 *  step) are null. */
export interface LossSeries {
  x: number[];
  before: (number | null)[];
  during: (number | null)[];
  after: (number | null)[];
  afterStep: (number | null)[];
  gaps: number[];
}

/** One side of a comparison of two runs: what the compare view shows of it. */
export interface CompareSide {
  run: PanelRun;
  /** E.g. "batchnorm-mismatch.js · 12:41". */
  title: string;
  target: string;
  startedAt: string | null;
  durationMs: number | null;
  gradientCallCount: number;
  findings: Finding[];
  /** Names of the layers the findings name. */
  layerNames: Record<string, string>;
  /** The probed calls' losses. */
  series: LossSeries;
}

/** Two runs side by side: before the fix, after the fix. */
export interface RunComparison {
  before: CompareSide;
  after: CompareSide;
}

/** Messages the extension host posts to the webview panel. */
export type HostToWebview =
  /** The whole state: sent after `ready`, on restore, and when the shown run changes. A live run's report comes
   *  with the version of the host's fold it was taken at; updates follow from there. */
  | { type: 'report'; report: RunReport | null; version?: number; run?: PanelRun }
  /** What changed in the shown live run, at a bounded rate and size (src/extension/logic/panelFeed.ts). */
  | { type: 'update'; update: ReportUpdate; run?: PanelRun }
  /** The run ended (any way): the final report, findings included. */
  | { type: 'run-ended'; report: RunReport; run?: PanelRun }
  /** Show one layer's detail (from the sidebar, a hover link or CodeLens). */
  | { type: 'select-layer'; layer: number }
  /** Show two runs side by side (null: back to the run). */
  | { type: 'compare'; comparison: RunComparison | null };

/** Messages the webview posts to the extension host. Validated with isWebviewToHost before use. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'reveal-source'; source: SourceLocation }
  | { type: 'select-layer'; layer: number }
  | { type: 'command'; command: WebviewCommand }
  /** What of the run is on screen: the layer table or the layer detail (when neither is, the host sends no
   *  per-layer data). */
  | { type: 'view'; layers: boolean }
  /** The user left the compare view. */
  | { type: 'close-compare' };

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
    case 'view':
      return typeof x.layers === 'boolean';
    case 'close-compare':
      return true;
    default:
      return false;
  }
}

const isRange: Check = (x) => Array.isArray(x) && x.length === 2 && isInt(x[0]) && isInt(x[1]);
const isPanelRun = shape({ id: isStr, phase: oneOf(RUN_PHASES), name: optional(isStr) });
const isSeries = shape({ x: listOf(isNum), before: isArray, during: isArray, after: isArray, afterStep: isArray, gaps: listOf(isInt) });
const isCompareSide = shape({
  run: isPanelRun, title: isStr, target: isStr, startedAt: orNull(isStr), durationMs: orNull(isNum), gradientCallCount: isInt,
  findings: isArray, layerNames: isObj, series: isSeries,
});
const isComparison = shape({ before: isCompareSide, after: isCompareSide });

const isReportUpdate = shape({
  from: isInt, to: isInt, header: isObj, layers: isArray, callRanges: listOf(isRange), calls: isArray, layerTotals: isArray,
  leakSites: optional(isArray), findings: optional(isArray), logs: listOf(isStr),
});

/** Checks a message from the host; anything else is ignored by the webview. */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'report':
      return (x.report === null || isRunReport(x.report)) && (x.version === undefined || isInt(x.version)) && optional(isPanelRun)(x.run);
    case 'run-ended':
      return isRunReport(x.report) && optional(isPanelRun)(x.run);
    case 'update':
      return isReportUpdate(x.update) && optional(isPanelRun)(x.run);
    case 'select-layer':
      return Number.isInteger(x.layer);
    case 'compare':
      return x.comparison === null || isComparison(x.comparison);
    default:
      return false;
  }
}
