// Maps a stack trace to the first frame in the user's own code. Used for layer construction sites and
// gradient call sites. TypeScript frames arrive already mapped to the .ts source, because the runner
// enables source maps (process.setSourceMapsEnabled) before it loads the user's script.
import type { SourceLocation } from '../protocol/report.ts';

const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^():]*?[^():\s][^()]*?):(\d+):(\d+)\)?\s*$/;
/** A frame whose path holds parentheses ("train (copy).js", "proj (v2)/"): the path starts at an absolute
 *  root, right after "at " or after the " (" that follows the function name. */
const FRAME_WITH_PARENS = /^\s*at (?:(?:.*? )?\()?((?:file:\/\/|\/|[A-Za-z]:\\|\\\\)[^\n]*?):(\d+):(\d+)\)?\s*$/;

/** Paths that are never the user's code: node internals, tfjs itself and the debugger. */
export type InternalPathTest = (file: string) => boolean;

export function defaultIsInternal(file: string): boolean {
  return file.startsWith('node:') || file.startsWith('internal/') || /[\\/]node_modules[\\/]@tensorflow[\\/]/.test(file) ||
    // tfjs frames mapped back to its TypeScript sources when source maps are on
    /[\\/]tfjs-(?:core|layers|converter|data|backend-[a-z]+|node(?:-gpu)?)[\\/]src[\\/]/.test(file);
}

export function parseFrame(line: string): SourceLocation | null {
  const m = FRAME.exec(line) ?? FRAME_WITH_PARENS.exec(line);
  if (!m) return null;
  const file = m[1].startsWith('file://') ? filePath(m[1]) : m[1];
  return file == null ? null : { file, line: Number(m[2]), column: Number(m[3]) };
}

/** The path a file:// URL names, or null when it is not a valid URL. */
function filePath(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
}

export function firstUserFrame(stack: string | undefined, isInternal: InternalPathTest): SourceLocation | null {
  if (!stack) return null;
  for (const line of stack.split('\n')) {
    const loc = parseFrame(line);
    if (loc && !isInternal(loc.file)) return loc;
  }
  return null;
}

const SITES_KEPT = 1000;
/** Frames captured: first a few (a gradient call or layer built in the user's code is this close), then enough to
 *  get past tfjs's own frames. */
const SHALLOW_FRAMES = 12;
const DEEP_FRAMES = 40;
const sitesByStack = new Map<string, SourceLocation | null>();
/** Whether a file is internal, per test (a training loop asks about the same few files again and again). */
const internalByTest = new WeakMap<InternalPathTest, Map<string, boolean>>();

/**
 * Captures the current stack (deep enough to get past tfjs's own frames) and returns the user's frame.
 * Formatting a stack maps every frame through the source maps, which costs far more than capturing it, and
 * a training loop asks from the same place again and again: so the first user frame among the raw frames (V8
 * call sites, unmapped) is the key to the formatted answer. Inside fit, after its first await, no user frame
 * is on the stack at all: that answer (null) is cached too.
 */
export function captureUserFrame(isInternal: InternalPathTest): SourceLocation | null {
  const limit = Error.stackTraceLimit;
  try {
    // A call from the user's code is a few frames up: a shallow capture first, the deep one only when it is cut.
    const shallow = rawUserFrameKey(isInternal, SHALLOW_FRAMES);
    const key = shallow === undefined ? rawUserFrameKey(isInternal, DEEP_FRAMES) : shallow;
    const known = key == null ? undefined : sitesByStack.get(key);
    if (known !== undefined) return known;
    Error.stackTraceLimit = DEEP_FRAMES;
    const site = firstUserFrame(new Error().stack, isInternal);
    if (key != null) {
      if (sitesByStack.size >= SITES_KEPT) sitesByStack.clear();
      sitesByStack.set(key, site);
    }
    return site;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function isInternalFile(file: string, isInternal: InternalPathTest): boolean {
  let known = internalByTest.get(isInternal);
  if (!known) internalByTest.set(isInternal, (known = new Map()));
  let internal = known.get(file);
  if (internal === undefined) {
    internal = isInternal(file.startsWith('file://') ? filePath(file) ?? file : file);
    if (known.size < SITES_KEPT) known.set(file, internal);
  }
  return internal;
}

/** The raw position of the stack's first user frame within `depth` frames ('' when there is none), without
 *  formatting the stack; undefined when the capture was cut before one (look deeper); null when V8's API is not
 *  there or an eval frame makes the raw frames ambiguous (then nothing is cached). */
function rawUserFrameKey(isInternal: InternalPathTest, depth: number): string | null | undefined {
  const prepare = Error.prepareStackTrace;
  try {
    Error.stackTraceLimit = depth;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, rawUserFrameKey);
    const sites = holder.stack;
    if (!Array.isArray(sites)) return null;
    for (const site of sites as NodeJS.CallSite[]) {
      const file = site.getFileName();
      if (!file) {
        if (site.isEval()) return null;
        continue;
      }
      if (!isInternalFile(file, isInternal)) return `${file}:${site.getLineNumber()}:${site.getColumnNumber()}`;
    }
    return sites.length < depth || depth >= DEEP_FRAMES ? '' : undefined;
  } catch {
    return null;
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

/** The frame that called `fn` (which must be on the stack), whether or not it is the user's. */
export function directCaller(fn: (...args: never[]) => unknown): SourceLocation | null {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  for (const line of (holder.stack ?? '').split('\n').slice(1)) {
    const loc = parseFrame(line);
    if (loc) return loc;
  }
  return null;
}
