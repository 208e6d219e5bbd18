// Which gradient calls get probes: every call up to probeAllFirst, then every probeEvery-th. A probe costs
// a few forward passes; on a model whose forward pass is expensive that can be a large share of a step, so
// an expensive probe (over SPARE_FROM_MS) also waits until the probes stay within `budget` of the training
// time. Both are measured as the run goes: the median of the recent times between gradient calls (the
// probes' own time taken out), and the least of what the last five probed calls' probes cost. The least of
// five, so that the first calls' warm-up (kernels compiled, code not yet optimised) or a busy moment never
// makes probes look expensive; before five probed calls nothing is spaced out.
import type { RunOptions } from '../../protocol.ts';

/** Share of the training time the probes may take, by default. */
export const DEFAULT_PROBE_BUDGET = 0.03;
/** Probes cheaper than this are never spaced out: at every 10th call they cost under 2 ms a call. */
export const SPARE_FROM_MS = 20;
const RECENT_STEPS = 9;
const RECENT_PROBES = 5;

export type ScheduleOptions = Pick<RunOptions, 'probeAllFirst' | 'probeEvery'> & { probeBudget?: number };

export class ProbeSchedule {
  private lastStart: number | null = null;
  private probingSinceStart = 0;
  private readonly steps: number[] = [];
  private readonly probes: number[] = [];
  private lastProbed = 0;
  private lastWasProbed = false;

  constructor(private readonly options: ScheduleOptions, private readonly now: () => number) {}

  /** Called as gradient call `index` starts: whether to probe it. */
  next(index: number): boolean {
    const t = this.now();
    if (this.lastStart != null) {
      recent(this.steps, Math.max(0, t - this.lastStart - this.probingSinceStart), RECENT_STEPS);
      if (this.lastWasProbed) recent(this.probes, this.probingSinceStart, RECENT_PROBES);
    }
    this.lastStart = t;
    this.probingSinceStart = 0;
    const probe = this.decide(index);
    if (probe) this.lastProbed = index;
    this.lastWasProbed = probe;
    return probe;
  }

  /** Time spent probing since the current call started (its loss before, after, attribution, after the step). */
  spent(ms: number): void {
    this.probingSinceStart += ms;
  }

  /** What the recent probed calls' probes cost, in ms, oldest first. */
  get recentProbeMs(): readonly number[] {
    return this.probes;
  }

  /** Calls between probes that the budget asks for now (1 when it asks nothing). */
  get budgetInterval(): number {
    const budget = this.options.probeBudget ?? DEFAULT_PROBE_BUDGET;
    if (budget <= 0 || this.probes.length < RECENT_PROBES || this.steps.length === 0) return 1;
    const probeMs = Math.min(...this.probes);
    if (probeMs < SPARE_FROM_MS) return 1;
    const stepMs = [...this.steps].sort((a, b) => a - b)[this.steps.length >> 1];
    return Math.max(1, probeMs / (budget * Math.max(stepMs, 1e-3)));
  }

  private decide(index: number): boolean {
    const { probeAllFirst, probeEvery } = this.options;
    if (probeEvery <= 0) return false;
    if (index <= probeAllFirst) return true;
    return index % probeEvery === 0 && index - this.lastProbed >= this.budgetInterval;
  }
}

function recent(xs: number[], x: number, keep: number): void {
  xs.push(x);
  if (xs.length > keep) xs.shift();
}
