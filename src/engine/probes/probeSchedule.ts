// Which gradient calls get probes. Two rules, both must agree:
// - the interval: every call up to probeAllFirst, then every probeEvery-th (probeEvery 0: never);
// - the budget: probes may take at most `budget` of the training time, from the first call on. The first probe
//   runs whatever it costs, to measure; after it a call is probed only when the time probes have taken, plus
//   what the next one should cost, stays within the budget of the training time so far.
// Training time is the wall time between gradient calls with the probes' own time taken out, so it includes
// whatever the script does between calls (loading data, logging). The loss after the optimizer step is a probe
// of its own, taken when the budget allows it then (the first one whatever it costs, to measure it: AfterStep).
// So is what recording a probed call's forward pass adds to the call (its time over the recent unprobed calls').
// What a probe should cost is the least of
// the last five probes' costs, so that warm-up (kernels compiled, code not yet optimised) or a busy moment
// does not stop the probes for long; the budget is charged what they really cost.
import { DEFAULT_PROBE_BUDGET, type RunOptions } from '../../protocol/runOptions.ts';

/** Probes that run whatever they cost, to measure it. */
export const CALIBRATION_PROBES = 1;
const RECENT_PROBES = 5;

export type ScheduleOptions = Pick<RunOptions, 'probeAllFirst' | 'probeEvery'> & { probeBudget?: number };

export class ProbeSchedule {
  private lastStart: number | null = null;
  private probingSinceStart = 0;
  private lastWasProbed = false;
  private trainingMs = 0;
  private probingMs = 0;
  private probesTaken = 0;
  private readonly recent: number[] = [];
  /** What an unprobed gradient call takes lately (a moving average), in ms. */
  private unprobedCallMs: number | null = null;

  constructor(private readonly options: ScheduleOptions, private readonly now: () => number) {}

  /** Called as gradient call `index` starts: whether to probe it. */
  next(index: number): boolean {
    const t = this.now();
    if (this.lastStart != null) {
      this.trainingMs += Math.max(0, t - this.lastStart - this.probingSinceStart);
      if (this.lastWasProbed) {
        this.recent.push(this.probingSinceStart);
        if (this.recent.length > RECENT_PROBES) this.recent.shift();
      }
    }
    this.lastStart = t;
    this.probingSinceStart = 0;
    const probe = this.onInterval(index) && this.withinBudget();
    if (probe) this.probesTaken++;
    this.lastWasProbed = probe;
    return probe;
  }

  /** Time spent probing since the current call started (its replay passes, and the loss after the step). */
  spent(ms: number): void {
    this.probingSinceStart += ms;
    this.probingMs += ms;
  }

  /** A gradient call took `ms`. A probed call's time over the recent unprobed calls' is its recording's: probing. */
  callTook(ms: number, probed: boolean): void {
    if (!probed) this.unprobedCallMs = this.unprobedCallMs == null ? ms : 0.8 * this.unprobedCallMs + 0.2 * ms;
    else if (this.unprobedCallMs != null) this.spent(Math.max(0, ms - this.unprobedCallMs));
  }

  /** What the recent probes cost, in ms, oldest first. */
  get recentProbeMs(): readonly number[] {
    return this.recent;
  }

  /** Share of the training time so far that probes took. */
  get probeShare(): number {
    return this.trainingMs > 0 ? this.probingMs / this.trainingMs : 0;
  }

  /** Whether an optional extra probe of about `ms` (the loss after the optimizer step) fits the budget now. */
  allows(ms: number): boolean {
    const budget = this.options.probeBudget ?? DEFAULT_PROBE_BUDGET;
    return budget <= 0 || this.probingMs + ms <= budget * this.trainingMs;
  }

  private onInterval(index: number): boolean {
    const { probeAllFirst, probeEvery } = this.options;
    if (probeEvery <= 0) return false;
    return index <= probeAllFirst || index % probeEvery === 0;
  }

  private withinBudget(): boolean {
    const budget = this.options.probeBudget ?? DEFAULT_PROBE_BUDGET;
    if (budget <= 0 || this.probesTaken < CALIBRATION_PROBES) return true;
    const expected = this.recent.length ? Math.min(...this.recent) : 0;
    return this.probingMs + expected <= budget * this.trainingMs;
  }
}
