// The JSON report, schema version 1: the types every part shares (the runner's events carry its records, the
// host folds them into a RunReport, the CLI writes it, the extension and the panel show it), and the check a
// report from outside (a stored run, an embedded report, a message) must pass before use.
import { isArray, isBool, isInt, isNum, isStr, listOf, oneOf, optional, orNull, shape, type Check } from './checks.ts';
import { isRunOptions, type RunOptions } from './runOptions.ts';

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
   *  fallback (src/engine/backend/cpuFallbackKernels.ts), in the order first used. Absent: none ran. */
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
  /** Weights of its own that can train (absent for containers and in older reports). */
  weightCount?: number;
  /** Where the script set `trainable` on this layer or model, most recent last (at most 8). */
  trainableChanges?: TrainableChange[];
  /** The models whose compile collected its weights to train (their fit and trainOnBatch were set to train
   *  them: tfjs-layers/src/engine/training.ts, collectedTrainableWeights). */
  compiledBy?: number[];
}

/** The script set `layer.trainable` (or `model.trainable`). */
export interface TrainableChange {
  value: boolean;
  source: SourceLocation | null;
  /** Gradient calls made before it. */
  afterCall: number;
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
  /** The layer whose `trainable = false` froze this one in the call: itself, or a model it ran in. Absent when
   *  nothing froze it. */
  frozenBy?: number | null;
  /** How many of its weights the call took a gradient of (absent for a layer without weights). */
  learns?: 'all' | 'some' | 'none';
  /** It ran in inference mode because the user's code asked: {training: false} passed to it or to a model it
   *  runs in, in every call (not predict's or evaluate's own). Absent otherwise. */
  inferenceAsked?: boolean;
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
  /** The model whose fit, fitDataset or trainOnBatch made the call (absent for custom loops). */
  model?: number;
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
  /** Live tensors as the call started. */
  numTensorsBefore?: number;
  /** Bytes of GPU memory the backend holds after the call (webgl, webgpu; absent elsewhere). */
  gpuBytes?: number;
  /** The call's forward pass replayed on the cpu backend and compared layer by layer (on a GPU backend, the
   *  first probed call and the first with NaN or Inf). */
  backendCheck?: BackendCheck;
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
  /** Gradient calls that took a gradient of some of its weights, and calls that took none though it ran. */
  learned?: number;
  notLearned?: number;
}

/** A recorded forward pass replayed on cpu and compared with the backend's own, layer by layer. */
export interface BackendCheck {
  against: 'cpu';
  /** Relative difference over which a layer counts as diverging. */
  tolerance: number;
  /** Layer outputs compared. */
  layers: number;
  /** Present where the outputs were compared in the batch's first examples only (a forward pass too large to read
   *  whole): how many, of how many. */
  examples?: { compared: number; of: number };
  /** The largest relative difference and its layer. */
  worst: { layer: number; error: number } | null;
  /** The first layer, in the order they ran, over the tolerance. */
  firstDivergent: { layer: number; error: number } | null;
  /** The first layer whose output held NaN or Inf on the backend while cpu's was finite. */
  firstNonFinite: number | null;
}

/** Where tensors that stayed alive were created, from a sample taken when live tensors kept growing. */
export interface LeakSite {
  source: SourceLocation | null;
  /** Tensors created there during the sample that were still alive at its end. */
  alive: number;
  /** Tensors created there during the sample. */
  created: number;
}

export const RULE_IDS = [
  'nan-or-inf', 'loss-gap', 'batchnorm-batch-statistics', 'running-stats-lagging', 'running-stats-frozen',
  'frozen-layer-in-training-mode', 'weights-never-learn', 'freeze-undone', 'backend-divergence', 'tensor-leak', 'running-stats-shifted', 'dropout-in-gradient',
  'no-gradient-calls',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** The layer the finding is about, or the first of several. */
  layer: number | null;
  /** Every layer it covers, when it covers more than one (grouped by cause). */
  layers?: number[];
  gradientCall: number | null;
  source: SourceLocation | null;
  /** The point in one line (Problems rows, hovers, CodeLens, the CLI's headline); absent in older reports. */
  summary?: string;
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

export interface MemoryInfo {
  tensorsAtStart: number;
  tensorsAtEnd: number;
}

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
  /** Where the tensors that kept live tensors growing were created (a sample; absent when none grew). */
  leakSites?: LeakSite[];
  findings: Finding[];
  memory: MemoryInfo | null;
  logs: string[];
}

// ---- Checks -------------------------------------------------------------------------------------------

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'timed-out', 'cancelled'];
const GRADIENT_APIS: readonly GradientApi[] = ['grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads', 'optimizer.minimize',
  'optimizer.computeGradients', 'fit', 'fitDataset', 'trainOnBatch', 'gradients'];

export function isSourceLocation(x: unknown): x is SourceLocation {
  const s = x as SourceLocation;
  return typeof s === 'object' && s !== null && typeof s.file === 'string' && s.file.length > 0 && s.file.length < 4096 &&
    Number.isInteger(s.line) && s.line >= 1 && Number.isInteger(s.column) && s.column >= 1;
}

const isSource = orNull(isSourceLocation);
export const isRunError: Check = shape({ kind: optional(oneOf(['usage', 'script', 'internal'])), message: isStr, file: orNull(isStr), line: orNull(isNum), column: optional(orNull(isNum)), stack: optional(isStr) });
export const isTfjsInfo: Check = shape({ version: isStr, backend: isStr, source: oneOf(['workspace', 'bundled']), path: isStr, fallbackKernels: optional(listOf(isStr)) });
export const isLayerInfo: Check = shape({
  id: isInt, name: isStr, className: isStr, trainable: isBool, source: isSource, parents: listOf(isInt), isContainer: isBool,
  outsideCalls: shape({ training: isNum, inference: isNum }), weightCount: optional(isInt),
  trainableChanges: optional(listOf(shape({ value: isBool, source: isSource, afterCall: isInt }))), compiledBy: optional(listOf(isInt)),
});
const isStats = shape({ mean: isNum, std: isNum, min: isNum, max: isNum, nanCount: isNum, infCount: isNum });
const numbers = listOf(isNum);
const isBatchNorm = shape({
  movingMeanBefore: numbers, movingMeanAfter: numbers, movingVarianceBefore: numbers, movingVarianceAfter: numbers,
  batchMean: numbers, batchVariance: numbers, momentum: isNum, epsilon: isNum,
});
const isLayerCall = shape({
  layer: isInt, mode: oneOf(['training', 'inference', 'mixed']), calls: isNum, trainable: isBool, output: orNull(isStats),
  nonFinite: isNum, batchNorm: orNull(isBatchNorm), gradNorm: orNull(isNum), frozenBy: optional(orNull(isInt)),
  learns: optional(oneOf(['all', 'some', 'none'])), inferenceAsked: optional(isBool),
});
export const isBackendCheck: Check = shape({ against: oneOf(['cpu']), tolerance: isNum, layers: isInt, examples: optional(shape({ compared: isInt, of: isInt })),
  worst: orNull(shape({ layer: isInt, error: isNum })), firstDivergent: orNull(shape({ layer: isInt, error: isNum })), firstNonFinite: orNull(isInt) });
export const isGradientCall: Check = shape({
  index: isInt, api: oneOf(GRADIENT_APIS), source: isSource, model: optional(isInt), lossBefore: orNull(isNum), lossDuring: orNull(isNum), lossAfter: orNull(isNum),
  lossAfterStep: orNull(isNum), probed: isBool, probeError: orNull(isStr), layers: listOf(isLayerCall),
  weights: listOf(shape({ name: isStr, layer: orNull(isInt), norm: orNull(isNum) })),
  attribution: orNull(listOf(shape({ layer: isInt, deltaLoss: isNum, share: isNum }))), unexplained: orNull(isNum),
  numTensors: isNum, numTensorsBefore: optional(isNum), gpuBytes: optional(isNum), durationMs: isNum, thinned: optional(isBool),
  backendCheck: optional(isBackendCheck),
});
export const isLeakSite: Check = shape({ source: isSource, alive: isInt, created: isInt });
export const isMemoryInfo: Check = shape({ tensorsAtStart: isNum, tensorsAtEnd: isNum });

/**
 * A report of schema version 1, checked field by field at its top level. The records in its lists are not
 * checked one by one (a report holds up to 20,000 of them): every part renders them as text and guards what it
 * reads, and the runner's own records were checked as events (runnerEvents.ts).
 */
export const isRunReport = shape({
  schemaVersion: oneOf([REPORT_SCHEMA_VERSION]), target: isStr, args: listOf(isStr), status: oneOf(RUN_STATUSES),
  error: orNull(isRunError), tfjs: orNull(isTfjsInfo), options: isRunOptions, startedAt: orNull(isStr), durationMs: orNull(isNum),
  exitCode: orNull(isNum), layers: isArray, gradientCallCount: isNum, gradientCallsDropped: isNum, gradientCalls: isArray,
  layerTotals: optional(isArray), leakSites: optional(isArray), findings: isArray, memory: orNull(isMemoryInfo), logs: listOf(isStr),
}) as (x: unknown) => x is RunReport;
