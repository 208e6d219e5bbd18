// What the runner streams to its host over the private channel (src/runner/eventChannel.ts writes it,
// src/host/eventReader.ts reads it), in order, and the check the host applies to every event before using it.
import { isInt, isNum, isObj, isStr, listOf, oneOf, orNull, shape, type Check } from './checks.ts';
import {
  isBackendCheck, isGradientCall, isLayerInfo, isLeakSite, isMemoryInfo, isRunError, isTfjsInfo,
  type BackendCheck, type GradientCallRecord, type LayerInfo, type LeakSite, type MemoryInfo, type RunError, type RunStatus, type TfjsInfo,
} from './report.ts';
import { isRunOptions, type RunOptions } from './runOptions.ts';

/** Events the runner streams to its host, in order. */
export type RunnerEvent =
  | { type: 'run-start'; target: string; args: string[]; cwd: string; tfjs: TfjsInfo; options: RunOptions; pid: number; startedAt: string }
  | { type: 'layers'; layers: LayerInfo[] }
  | { type: 'gradient-call'; call: GradientCallRecord }
  /** A gradient call's cross-backend check, when it ran after the call (a page on webgl: in slices, over many
   *  frames) so that the call's record, and the ones after it, did not wait for it. It comes after the call's
   *  record, and is folded into it. */
  | { type: 'backend-check'; index: number; check: BackendCheck }
  /** Gradient calls started so far, and the backend they run on: sent while the records wait for their values
   *  (a page on webgl whose training loop does not yield, so the reads complete only when it does), at most
   *  once a second, so that the host sees the page training (its idle wait) and the count stays current. */
  | { type: 'calls-started'; count: number; backend: string | null }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'leak-sites'; sites: LeakSite[] }
  /** A cpu fallback kernel ran for the first time in this run (folded into tfjs.fallbackKernels). */
  | { type: 'kernel-fallback'; kernel: string }
  | { type: 'run-end'; status: Exclude<RunStatus, 'running'>; exitCode: number | null; error: RunError | null; memory: MemoryInfo; gradientCallCount: number; backend: string | null }
  | { type: 'error'; error: RunError };

export type RunnerEventType = RunnerEvent['type'];

const RUNNER_EVENTS: Record<RunnerEventType, Check> = {
  'run-start': shape({ target: isStr, args: listOf(isStr), cwd: isStr, options: isRunOptions, pid: isNum, startedAt: isStr, tfjs: isTfjsInfo }),
  layers: shape({ layers: listOf(isLayerInfo) }),
  'gradient-call': shape({ call: isGradientCall }),
  'backend-check': shape({ index: isInt, check: isBackendCheck }),
  'calls-started': shape({ count: isInt, backend: orNull(isStr) }),
  log: shape({ level: oneOf(['info', 'warn']), message: isStr }),
  'leak-sites': shape({ sites: listOf(isLeakSite) }),
  'kernel-fallback': shape({ kernel: isStr }),
  'run-end': shape({ status: oneOf(['completed', 'failed', 'timed-out', 'cancelled']), exitCode: orNull(isInt), error: orNull(isRunError),
    memory: isMemoryInfo, gradientCallCount: isInt, backend: orNull(isStr) }),
  error: shape({ error: isRunError }),
};

/** Checks an event from the runner against the protocol; anything else is dropped by the host. */
export function isRunnerEvent(x: unknown): x is RunnerEvent {
  if (!isObj(x) || typeof x.type !== 'string' || !Object.prototype.hasOwnProperty.call(RUNNER_EVENTS, x.type)) return false;
  return RUNNER_EVENTS[x.type as RunnerEventType](x);
}
