// Coalesces bursts of updates into at most one call per animation frame, and at most one every
// `minIntervalMs` (50 ms: about 20 a second).
export function frameThrottle(fn: () => void, minIntervalMs = 50): { schedule(): void; cancel(): void; flush(): void } {
  let frame = 0;
  let timer = 0;
  let last = -Infinity;
  const run = () => {
    frame = 0;
    timer = 0;
    last = performance.now();
    fn();
  };
  return {
    schedule() {
      if (frame || timer) return;
      const wait = last + minIntervalMs - performance.now();
      if (wait > 0) timer = window.setTimeout(() => { timer = 0; frame = requestAnimationFrame(run); }, wait);
      else frame = requestAnimationFrame(run);
    },
    cancel() {
      if (frame) cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
      frame = timer = 0;
    },
    flush() {
      if (!frame && !timer) return;
      this.cancel();
      run();
    },
  };
}
