// Events between the page agent and its host travel as text (a DevTools binding carries one string). JSON has
// no NaN or Infinity, and losses and statistics can be either, so numbers JSON cannot hold travel as
// {"$number": "NaN" | "Infinity" | "-Infinity"} and come back as numbers. Used on both sides.

/** The DevTools binding the agent sends its events through (only the debugged page can call it). */
export const BINDING = '__tfjsDebuggerEmit';
/** The agent's global in the page: attach(tf) by hand, finish() from the host. */
export const AGENT_GLOBAL = '__tfjsDebugger';
/** The name of the debugger's own worker in a page (the cross-backend check's): the launcher puts no agent in it. */
export const CHECK_WORKER_NAME = 'tfjs-debugger-backend-check';

const SPECIAL = '$number';

export function encodeEvent(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? { [SPECIAL]: String(v) } : v));
}

export function decodeEvent(text: string): unknown {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v[SPECIAL] === 'string') {
      return Number(v[SPECIAL]);
    }
    return v;
  });
}
