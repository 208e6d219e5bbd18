// Maps a stack trace to the first frame in the user's own code. Used for layer construction sites and
// gradient call sites. TypeScript frames arrive already mapped to the .ts source, because the runner
// enables source maps (process.setSourceMapsEnabled) before it loads the user's script.
import type { SourceLocation } from '../../protocol.ts';

const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^():]*?[^():\s][^()]*?):(\d+):(\d+)\)?\s*$/;

/** Paths that are never the user's code: node internals, tfjs itself and the debugger. */
export type InternalPathTest = (file: string) => boolean;

export function defaultIsInternal(file: string): boolean {
  return file.startsWith('node:') || file.startsWith('internal/') || /[\\/]node_modules[\\/]@tensorflow[\\/]/.test(file) ||
    // tfjs frames mapped back to its TypeScript sources when source maps are on
    /[\\/]tfjs-(?:core|layers|converter|data|backend-[a-z]+|node(?:-gpu)?)[\\/]src[\\/]/.test(file);
}

export function parseFrame(line: string): SourceLocation | null {
  const m = FRAME.exec(line);
  if (!m) return null;
  let file = m[1];
  if (file.startsWith('file://')) {
    try {
      file = decodeURIComponent(new URL(file).pathname);
    } catch {
      return null;
    }
  }
  return { file, line: Number(m[2]), column: Number(m[3]) };
}

export function firstUserFrame(stack: string | undefined, isInternal: InternalPathTest): SourceLocation | null {
  if (!stack) return null;
  for (const line of stack.split('\n')) {
    const loc = parseFrame(line);
    if (loc && !isInternal(loc.file)) return loc;
  }
  return null;
}

/** Captures the current stack (deep enough to get past tfjs's own frames) and returns the user's frame. */
export function captureUserFrame(isInternal: InternalPathTest): SourceLocation | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  try {
    return firstUserFrame(new Error().stack, isInternal);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
