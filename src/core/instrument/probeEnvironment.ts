// What a probe changes around itself, and puts back: the tape, the random stream and the console.
// A probe re-runs the user's loss closure. It must not record on the tape, must not draw from the user's
// random stream (tfjs-core's random ops seed from Math.random(): tfjs-core/src/ops/rand_util.ts and
// random_uniform.ts), and must not print the user's own logging twice.

/** Runs fn with tape recording off. tfjs records only while kernelDepth is 0 (tfjs-core/src/engine.ts,
 *  isTapeOn); runKernelFunc raises it the same way while a kernel runs. */
export function withTapeOff<T>(engine: any, fn: () => T): T {
  const state = engine.state;
  state.kernelDepth++;
  try {
    return fn();
  } finally {
    state.kernelDepth--;
  }
}

/** mulberry32: a small seeded generator, so probes are deterministic and independent of Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Runs fn with its own random stream and a silent console, restoring both afterwards. */
export function isolated<T>(seed: number, fn: () => T): T {
  const random = Math.random;
  const saved = CONSOLE_METHODS.map((m) => console[m]);
  Math.random = seededRandom(seed);
  for (const m of CONSOLE_METHODS) console[m] = () => undefined;
  try {
    return fn();
  } finally {
    Math.random = random;
    CONSOLE_METHODS.forEach((m, i) => { console[m] = saved[i]; });
  }
}
