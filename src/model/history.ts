// Bounded history of gradient-call records: the first `head` records, then a ring of the most recent ones.
// Long runs keep a fixed amount of memory; what was dropped is counted, never silently lost.
//
// A count of calls alone does not bound memory: a call of a 500-layer model carries 500 layer records. So
// the history also has a detail budget: when the records kept in full weigh more than it, the oldest ones
// are thinned (their per-layer detail goes, their losses stay), so the newest calls are always in full.

export interface DetailBudget<T> {
  /** What one record costs against the budget (for a gradient call: its layer and weight records). */
  weight: (item: T) => number;
  /** The record without its detail. */
  thin: (item: T) => T;
  budget: number;
}

/** How many of the first records a history of `size` keeps (the rest of it are the most recent ones). */
export function historyHead(size: number): number {
  return Math.min(50, Math.floor(size / 2));
}

export class BoundedHistory<T> {
  private readonly first: T[] = [];
  private readonly ring: T[] = [];
  private next = 0;
  dropped = 0;
  /** Records still in full, oldest first (a Set keeps insertion order). */
  private readonly inFull = new Set<T>();
  private fullWeight = 0;

  constructor(private readonly head: number, private readonly tail: number, private readonly detail: DetailBudget<T> | null = null) {}

  static forSize<T>(size: number, detail: DetailBudget<T> | null = null): BoundedHistory<T> {
    const head = historyHead(size);
    return new BoundedHistory<T>(head, Math.max(1, size - head), detail);
  }

  push(item: T): void {
    if (this.first.length < this.head) {
      this.first.push(item);
    } else if (this.ring.length < this.tail) {
      this.ring.push(item);
    } else {
      this.forget(this.ring[this.next]);
      this.ring[this.next] = item;
      this.next = (this.next + 1) % this.tail;
      this.dropped++;
    }
    if (this.detail) this.keepDetail(item, this.detail);
  }

  /** Puts `by` in the place of the first record `match` finds (its detail stays counted as the record's).
   *  Returns whether one was found. */
  update(match: (item: T) => boolean, by: (item: T) => T): boolean {
    const item = this.first.find(match) ?? this.ring.find(match);
    if (item === undefined) return false;
    const next = by(item);
    this.replace(item, next);
    if (this.inFull.has(item)) {
      const inFull = [...this.inFull].map((x) => (x === item ? next : x));
      this.inFull.clear();
      for (const x of inFull) this.inFull.add(x);
    }
    return true;
  }

  items(): T[] {
    return [...this.first, ...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  private keepDetail(item: T, detail: DetailBudget<T>): void {
    this.inFull.add(item);
    this.fullWeight += detail.weight(item);
    while (this.fullWeight > detail.budget && this.inFull.size > 1) {
      const oldest = this.inFull.values().next().value as T;
      this.forget(oldest);
      this.replace(oldest, detail.thin(oldest));
    }
  }

  /** Takes a record out of the detail budget (thinned, or overwritten by the ring). */
  private forget(item: T): void {
    if (this.detail && this.inFull.delete(item)) this.fullWeight -= this.detail.weight(item);
  }

  private replace(item: T, by: T): void {
    const i = this.first.indexOf(item);
    if (i >= 0) {
      this.first[i] = by;
      return;
    }
    const j = this.ring.indexOf(item);
    if (j >= 0) this.ring[j] = by;
  }
}
