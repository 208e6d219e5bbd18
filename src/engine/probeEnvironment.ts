// What the debugger changes around its own work, and puts back: the tape, the random stream, the console and
// the process's stdout/stderr. Probes replay what a gradient call computed (replay.ts); the only user code a
// probe may run is the `call` of a custom layer that reads kwargs.training, re-run in the other mode. It must
// not record on the tape, must not draw from the user's random stream (tfjs-core's random ops seed from
// Math.random(): tfjs-core/src/ops/rand_util.ts and random_uniform.ts), and must print nothing.
import type { Engine } from './tfjs.ts';

let internalDepth = 0;

/** Whether the debugger's own code is running now (its reductions, reads and probes), so that the taps that
 *  watch the user's computation (forwardRecording.ts) leave it out. */
export function inDebuggerCode(): boolean {
  return internalDepth > 0;
}

/** Runs fn as the debugger's own code (see inDebuggerCode). */
export function asDebugger<T>(fn: () => T): T {
  internalDepth++;
  try {
    return fn();
  } finally {
    internalDepth--;
  }
}

/** Runs fn with tape recording off, as the debugger's own code. tfjs records only while kernelDepth is 0
 *  (tfjs-core/src/engine.ts, isTapeOn); runKernelFunc raises it the same way while a kernel runs. */
export function withTapeOff<T>(engine: Engine, fn: () => T): T {
  const state = engine.state;
  state.kernelDepth++;
  internalDepth++;
  try {
    return fn();
  } finally {
    internalDepth--;
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

/** Runs fn as the debugger's own code, with its own random stream, a silent console and silent
 *  stdout/stderr, restoring all of them afterwards. */
export function isolated<T>(seed: number, fn: () => T): T {
  const random = Math.random;
  const saved = CONSOLE_METHODS.map((m) => console[m]);
  // In a page there is no process (the page agent runs the engine there).
  const streams = typeof process === 'undefined' ? [] : [process.stdout, process.stderr].filter((s) => s && typeof s.write === 'function');
  const writes = streams.map((s) => Object.getOwnPropertyDescriptor(s, 'write'));
  Math.random = seededRandom(seed);
  for (const m of CONSOLE_METHODS) console[m] = () => undefined;
  // A write that says it was taken, as a stream does when its buffer has room.
  for (const s of streams) Object.defineProperty(s, 'write', { value: () => true, configurable: true, writable: true });
  try {
    return asDebugger(fn);
  } finally {
    Math.random = random;
    CONSOLE_METHODS.forEach((m, i) => { console[m] = saved[i]; });
    streams.forEach((s, i) => {
      const own = writes[i];
      if (own) Object.defineProperty(s, 'write', own);
      else delete (s as { write?: unknown }).write;
    });
  }
}
