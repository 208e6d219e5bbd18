// Collects items and hands them over in batches, at most one batch per interval (50 ms: at most 20 a second).
// The first item after a quiet period goes out as soon as the interval since the last batch allows.
// Pure: no vscode import; the clock and timers are injectable for tests.

export interface BatcherTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: BatcherTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class Batcher<T> {
  private items: T[] = [];
  private timer: unknown = null;
  private lastFlush = -Infinity;
  private disposed = false;

  constructor(
    private readonly flushTo: (items: T[]) => void,
    private readonly intervalMs = 50,
    private readonly timers: BatcherTimers = realTimers,
  ) {}

  push(...items: T[]): void {
    if (this.disposed || items.length === 0) return;
    this.items.push(...items);
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** Hands over what is pending now (before a message that must follow the pending items). */
  flush(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.lastFlush = this.timers.now();
    this.flushTo(items);
  }

  /** Drops what is pending (the receiver is about to get a snapshot that already holds it). */
  discard(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    this.items = [];
  }

  get pending(): number {
    return this.items.length;
  }

  dispose(): void {
    this.discard();
    this.disposed = true;
  }
}
