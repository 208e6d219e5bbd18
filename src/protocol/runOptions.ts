// What a run is asked to do (the CLI's options and the extension's settings both come down to these), and the
// defaults every part starts from.
import { isNum, oneOf, optional, shape, type Check } from './checks.ts';

export type AttributionMode = 'auto' | 'always' | 'off';

export interface RunOptions {
  /** Probes run on every call up to this one, then every probeEvery-th. */
  probeAllFirst: number;
  probeEvery: number;
  /** Share of the training time probes may take, from the first call on: calls are probed further apart than
   *  the interval when needed to stay within it (src/engine/probes/probeSchedule.ts); 0 turns this off.
   *  Absent in older reports, which ran with DEFAULT_PROBE_BUDGET. */
  probeBudget?: number;
  /** Full per-call records kept: the first `historyHead`, and the last `historySize - historyHead`. */
  historySize: number;
  lossGapTolerance: number;
  /** Per-layer attribution of the loss gap: when the gap is over tolerance (auto), on every probed call
   *  (always), or never (off). */
  attribution: AttributionMode;
  /** The cross-backend check (src/engine/probes/backendCheck.ts): a probed call replayed on cpu and compared layer
   *  by layer, on webgl and webgpu (auto), on any backend but cpu (always), or never (off). */
  backendCheck?: BackendCheckMode;
}

export type BackendCheckMode = 'auto' | 'always' | 'off';

/** Share of the training time the probes may take, by default. */
export const DEFAULT_PROBE_BUDGET = 0.03;

export const DEFAULT_RUN_OPTIONS: Readonly<Required<RunOptions>> = {
  probeAllFirst: 50,
  probeEvery: 10,
  probeBudget: DEFAULT_PROBE_BUDGET,
  historySize: 1000,
  lossGapTolerance: 1e-4,
  attribution: 'auto',
  backendCheck: 'auto',
};

export const isRunOptions: Check = shape({
  probeAllFirst: isNum, probeEvery: isNum, probeBudget: optional(isNum), historySize: isNum, lossGapTolerance: isNum,
  attribution: oneOf(['auto', 'always', 'off']), backendCheck: optional(oneOf(['auto', 'always', 'off'])),
});
