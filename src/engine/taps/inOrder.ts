// Gradient-call records go out in the order of their calls, though some are ready later than others: a probed
// call's waits for the loss after its optimizer step, and on the deferred read strategy (readback.ts) a call's
// values arrive after the call. Each call takes its place as it ends and fills it when its record is ready.

interface Place<T> {
  value?: T;
  ready: boolean;
}

export class InOrder<T> {
  private readonly places: Place<T>[] = [];
  /** Places gone out so far (those taken are these and the ones still in `places`). */
  private sent = 0;
  /** settled() calls waiting, each for the places taken before it to go out. */
  private waiting: { upTo: number; resolve: () => void }[] = [];

  constructor(private readonly send: (value: T) => void) {}

  /** Takes the next place. The function it returns fills it, with the value or a promise of it that does not
   *  reject; whatever is ready at the front goes out then (at once when nothing before it waits). */
  take(): (value: T | Promise<T>) => void {
    const place: Place<T> = { ready: false };
    this.places.push(place);
    return (value) => {
      if (value instanceof Promise) void value.then((v) => this.fill(place, v));
      else this.fill(place, value);
    };
  }

  /** Resolves when every place taken so far has gone out (places taken later do not hold it). */
  settled(): Promise<void> {
    if (!this.places.length) return Promise.resolve();
    const upTo = this.sent + this.places.length;
    return new Promise((resolve) => this.waiting.push({ upTo, resolve }));
  }

  private fill(place: Place<T>, value: T): void {
    place.value = value;
    place.ready = true;
    while (this.places[0]?.ready) {
      this.send(this.places.shift()?.value as T);
      this.sent++;
    }
    const done = this.waiting.filter((w) => w.upTo <= this.sent);
    this.waiting = this.waiting.filter((w) => w.upTo > this.sent);
    for (const w of done) w.resolve();
  }
}
