// Every message type between the runner, the host (CLI or extension) and the webview, in one place.
// The JSON report (schema version 1) is built from the same types.

export type Mode = 'training' | 'inference' | 'mixed';
export type Severity = 'error' | 'warning' | 'info';
export type RunStatus = 'running' | 'completed' | 'failed' | 'timed-out' | 'cancelled';
export type TfjsSource = 'workspace' | 'bundled';

/** The gradient API the user called. Internal calls are labelled by the outermost public API. */
export type GradientApi =
  | 'grad' | 'grads' | 'valueAndGrad' | 'valueAndGrads' | 'variableGrads'
  | 'optimizer.minimize' | 'optimizer.computeGradients'
  | 'fit' | 'fitDataset' | 'trainOnBatch' | 'gradients';

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface TfjsInfo {
  version: string;
  backend: string;
  source: TfjsSource;
  /** Folder of the tfjs-core package that ran. */
  path: string;
  /** Kernels the backend lacks (or computes wrongly) that ran on tfjs's cpu kernels through the debugger's
   *  fallback (src/core/backend/cpuFallbackKernels.ts), in the order first used. Absent: none ran. */
  fallbackKernels?: string[];
}

export interface LayerInfo {
  id: number;
  name: string;
  className: string;
  trainable: boolean;
  source: SourceLocation | null;
  /** Layer ids of the models (containers) this layer was called through. */
  parents: number[];
  isContainer: boolean;
  /** Calls outside any gradient call (predict, evaluate, a bare apply), by the mode they used. */
  outsideCalls: { training: number; inference: number };
}

export interface TensorStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  nanCount: number;
  infCount: number;
}

/** Per-channel BatchNormalization statistics around one gradient call. Momentum uses tfjs's (Keras) convention:
 *  moving = moving - (moving - batch) * (1 - momentum), so 0.99 means the moving statistics move 1% per step. */
export interface BatchNormStats {
  movingMeanBefore: number[];
  movingMeanAfter: number[];
  movingVarianceBefore: number[];
  movingVarianceAfter: number[];
  batchMean: number[];
  batchVariance: number[];
  momentum: number;
  epsilon: number;
}

export interface LayerCallRecord {
  layer: number;
  mode: Mode;
  /** How many times the layer ran inside the gradient call. */
  calls: number;
  /** Whether the layer was trainable during the call. */
  trainable: boolean;
  /** Statistics of the layer's output, from its first call in the gradient call. Probed calls only. */
  output: TensorStats | null;
  /** NaN and Inf values in the layer's outputs, every call. */
  nonFinite: number;
  batchNorm: BatchNormStats | null;
  /** L2 norm over the layer's trainable weights' gradients; null on unprobed calls (norms are sampled with
   *  the probes) and when none of its weights got a gradient. */
  gradNorm: number | null;
}

export interface WeightGradNorm {
  name: string;
  layer: number | null;
  /** Null on unprobed calls and for a weight that got no gradient. */
  norm: number | null;
}

export interface AttributionEntry {
  layer: number;
  deltaLoss: number;
  share: number;
}

export interface GradientCallRecord {
  /** Counts every gradient call from 1, recorded or not. */
  index: number;
  api: GradientApi;
  source: SourceLocation | null;
  /** Loss closure re-run with every layer in inference mode, before the call. Null when not probed. */
  lossBefore: number | null;
  /** The value the gradient call computed (summed when the closure returned a non-scalar). */
  lossDuring: number | null;
  /** Same as lossBefore, after the call returned: weights unchanged, moving statistics maybe moved. */
  lossAfter: number | null;
  /** Same as lossBefore, after an optimizer applied the gradients. */
  lossAfterStep: number | null;
  probed: boolean;
  /** Why a probe could not run, when it could not. */
  probeError: string | null;
  layers: LayerCallRecord[];
  weights: WeightGradNorm[];
  /** Null when not attributed: attribution runs on probed calls with a gap, the first five and then every
   *  tenth of them (always: every probed call). */
  attribution: AttributionEntry[] | null;
  unexplained: number | null;
  /** Live tensors right after the call returned (debugger's own tensors excluded). */
  numTensors: number;
  /** Wall time of the gradient call itself, in ms. */
  durationMs: number;
  /** True when the bounded history let go of this call's per-layer records and weights to keep the report
   *  small (its losses and attribution stay, and the record of the first layer with NaN or Inf). */
  thinned?: boolean;
}

/** One layer over every gradient call of the run, including calls the bounded history thinned or dropped. */
export interface LayerTotals {
  layer: number;
  /** Gradient calls the layer ran in, by its mode in each. */
  training: number;
  inference: number;
  mixed: number;
  /** NaN and Inf values in its outputs. */
  nonFinite: number;
}

export interface Finding {
  rule: string;
  severity: Severity;
  layer: number | null;
  gradientCall: number | null;
  source: SourceLocation | null;
  message: string;
  fix: string;
}

export interface RunError {
  /** usage: the input could not be run (missing file, unsupported tfjs); script: the user's script failed;
   *  internal: the debugger itself failed. */
  kind?: 'usage' | 'script' | 'internal';
  message: string;
  file: string | null;
  line: number | null;
  column?: number | null;
  stack?: string;
}

export interface RunOptions {
  /** Probes run on every call up to this one, then every probeEvery-th. */
  probeAllFirst: number;
  probeEvery: number;
  /** Share of the training time probes may take: a probe that costs over 20 ms is spaced further apart than
   *  probeEvery to stay within it (src/core/instrument/probeSchedule.ts); 0 turns this off. Default 0.03. */
  probeBudget?: number;
  /** Full per-call records kept: the first `historyHead`, and the last `historySize - historyHead`. */
  historySize: number;
  lossGapTolerance: number;
  /** Per-layer attribution of the loss gap: when the gap is over tolerance (auto), on every probed call
   *  (always), or never (off). */
  attribution: AttributionMode;
}

export type AttributionMode = 'auto' | 'always' | 'off';

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  probeAllFirst: 50,
  probeEvery: 10,
  historySize: 1000,
  lossGapTolerance: 1e-4,
  attribution: 'auto',
};

/** Events the runner streams to its host, in order. */
export type RunnerEvent =
  | { type: 'run-start'; target: string; args: string[]; cwd: string; tfjs: TfjsInfo; options: RunOptions; pid: number; startedAt: string }
  | { type: 'layers'; layers: LayerInfo[] }
  | { type: 'gradient-call'; call: GradientCallRecord }
  | { type: 'finding'; finding: Finding }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  /** A cpu fallback kernel ran for the first time in this run (folded into tfjs.fallbackKernels). */
  | { type: 'kernel-fallback'; kernel: string }
  | { type: 'run-end'; status: Exclude<RunStatus, 'running'>; exitCode: number | null; error: RunError | null; memory: MemoryInfo; gradientCallCount: number; backend: string | null }
  | { type: 'error'; error: RunError };

export interface MemoryInfo {
  tensorsAtStart: number;
  tensorsAtEnd: number;
}

export type RunnerEventType = RunnerEvent['type'];

export const REPORT_SCHEMA_VERSION = 1;

/** The JSON report, schema version 1. */
export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  target: string;
  args: string[];
  status: RunStatus;
  error: RunError | null;
  tfjs: TfjsInfo | null;
  options: RunOptions;
  startedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  layers: LayerInfo[];
  gradientCallCount: number;
  /** Gradient calls dropped from `gradientCalls` to keep the history bounded. */
  gradientCallsDropped: number;
  gradientCalls: GradientCallRecord[];
  /** Per layer over the whole run (absent in reports written before it existed). */
  layerTotals?: LayerTotals[];
  findings: Finding[];
  memory: MemoryInfo | null;
  logs: string[];
}

// ---- Host ⇄ webview --------------------------------------------------------------------------------

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

function isSourceLocation(x: unknown): x is SourceLocation {
  const s = x as SourceLocation;
  return typeof s === 'object' && s !== null && typeof s.file === 'string' && s.file.length > 0 && s.file.length < 4096 &&
    Number.isInteger(s.line) && s.line >= 1 && Number.isInteger(s.column) && s.column >= 1;
}

/** Checks a message from the webview against the protocol; anything else is to be ignored and logged. */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'reveal-source':
      return isSourceLocation(m.source);
    case 'select-layer':
      return Number.isInteger(m.layer) && (m.layer as number) > 0;
    case 'command':
      return (WEBVIEW_COMMANDS as readonly unknown[]).includes(m.command);
    default:
      return false;
  }
}
