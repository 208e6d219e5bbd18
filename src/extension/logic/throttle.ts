// Runs a callback at most once per interval however often it is asked for (trailing call guaranteed).
// Pure: no vscode import.
import { Batcher, type BatcherTimers } from './batcher.ts';

export class Throttle {
  private readonly batcher: Batcher<true>;

  constructor(run: () => void, intervalMs: number, timers?: BatcherTimers) {
    this.batcher = new Batcher<true>(() => run(), intervalMs, timers);
  }

  request(): void {
    if (this.batcher.pending === 0) this.batcher.push(true);
  }

  /** Runs now if a run is pending. */
  flush(): void {
    this.batcher.flush();
  }

  /** Drops a pending run. */
  cancel(): void {
    this.batcher.discard();
  }

  dispose(): void {
    this.batcher.dispose();
  }
}
