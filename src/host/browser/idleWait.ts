// When a page's run ends for idleness: the page has sent nothing for the idle time, and its thread is not busy.
// A thread busy in the page's own code sends nothing while it runs (a long gradient call, a first call that
// compiles the page's shaders on a slow GPU, a training loop that never yields), so silence alone is not
// idleness. At the deadline the thread is asked something trivial (launchPage.ts: `Runtime.evaluate` of `0`;
// before anything trains, every thread of the page's is asked), which DevTools answers only between the page's
// tasks: an answer within ANSWER_MS means idle; none means busy, and the wait starts again once the thread answers.

/** How long a page's thread may take to answer at the deadline before it counts as busy, in ms. */
export const ANSWER_MS = 1_000;

export interface IdleWaitHooks {
  /** Resolves when the page's thread answers (or can no longer: the page is gone). */
  ask(): Promise<unknown>;
  /** The page is idle: the run ends. */
  idle(): void;
  /** The page is busy at a deadline (called the first time only: the host says so once a run). */
  busy(): void;
}

export class IdleWait {
  private timer: NodeJS.Timeout | undefined;
  /** Events the page has sent: one during a check means the page is not idle. */
  private heard = 0;
  private stopped = false;
  private toldBusy = false;

  constructor(private readonly idleMs: number, private readonly hooks: IdleWaitHooks, private readonly answerMs = ANSWER_MS) {}

  /** The page sent something (or the run starts): the wait starts again. */
  restart(): void {
    this.heard++;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => void this.check(), this.idleMs);
  }

  private async check(): Promise<void> {
    const heardBefore = this.heard;
    const answered = this.hooks.ask().then(() => false, () => false);
    const busy = await Promise.race([answered, new Promise<boolean>((r) => setTimeout(r, this.answerMs, true))]);
    if (this.stopped || this.heard !== heardBefore) return;
    if (!busy) return this.hooks.idle();
    if (!this.toldBusy) this.hooks.busy();
    this.toldBusy = true;
    await answered;
    if (this.heard === heardBefore) this.arm();
  }
}
