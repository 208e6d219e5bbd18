// The optimizer step tap: every optimizer's applyGradients. A probed gradient call keeps its replay until the
// step that follows it, to replay its loss once more with the updated weights (lossAfterStep); its record is
// emitted then, or when the next gradient call starts, or on flush.
import { optimizerClasses } from '../tfjs.ts';
import type { Replay } from '../probes/replay.ts';
import { messageOf, timed, type TapContext } from './tapContext.ts';

/** A probed call waiting for an optimizer step, to replay its loss after the step. */
interface PendingStep {
  replay: Replay;
  /** What the pass after the step should cost, in ms. */
  expectedMs: number;
  emitWith: (lossAfterStep: number | null, error: string | null) => void;
}

export class AfterStep {
  private pending: PendingStep | null = null;
  /** What the last pass after an optimizer step cost, in ms. */
  private lastMs: number | null = null;

  constructor(private readonly ctx: TapContext) {}

  /** Holds a probed call's record until the next optimizer step. `inferenceMs`: what its pass before cost. */
  wait(replay: Replay, inferenceMs: number, emitWith: PendingStep['emitWith']): void {
    this.pending = { replay, expectedMs: this.lastMs ?? inferenceMs, emitWith };
  }

  /** Emits the waiting record (with the loss after the step when there is one). */
  complete(lossAfterStep: number | null = null, error: string | null = null): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    p.replay.dispose();
    p.emitWith(lossAfterStep, error);
  }

  /** An optimizer applied gradients: the waiting call's loss after the step, within the probe budget. */
  private stepped(): void {
    const { ctx } = this;
    const p = this.pending;
    if (!p || ctx.prober.active || ctx.call.recorder) return;
    let loss: number | null = null;
    let error: string | null = null;
    // Like every probe, within the budget: else this call has no loss after the step. The first one runs whatever
    // it costs, as the first probe does: before it there is no training time to measure a budget by (a script
    // of one gradient call, a page's first step), and after it what this pass costs is known.
    if (this.lastMs == null || ctx.schedule.allows(p.expectedMs)) {
      const started = ctx.now();
      try {
        const t = timed(ctx, () => ctx.prober.afterStep(p.replay));
        loss = t.dataSync()[0];
        t.dispose();
      } catch (e) {
        error = `loss after the optimizer step: ${messageOf(e)}`;
      }
      this.lastMs = ctx.now() - started;
    }
    this.complete(loss, error);
  }

  install(): void {
    const stepped = () => this.stepped();
    for (const cls of optimizerClasses(this.ctx.core)) {
      this.ctx.patcher.patch(cls.prototype, 'applyGradients', (original) => function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        stepped();
        return result;
      });
    }
  }
}
