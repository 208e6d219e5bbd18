// Bounded history of gradient-call records: the first `head` records, then a ring of the most recent ones.
// Long runs keep a fixed amount of memory; what was dropped is counted, never silently lost.
export class BoundedHistory<T> {
  private readonly first: T[] = [];
  private readonly ring: T[] = [];
  private next = 0;
  dropped = 0;

  constructor(private readonly head: number, private readonly tail: number) {}

  static forSize<T>(size: number): BoundedHistory<T> {
    const head = Math.min(50, Math.floor(size / 2));
    return new BoundedHistory<T>(head, Math.max(1, size - head));
  }

  push(item: T): void {
    if (this.first.length < this.head) {
      this.first.push(item);
    } else if (this.ring.length < this.tail) {
      this.ring.push(item);
    } else {
      this.ring[this.next] = item;
      this.next = (this.next + 1) % this.tail;
      this.dropped++;
    }
  }

  items(): T[] {
    return [...this.first, ...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
