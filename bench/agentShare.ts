// How much of each frame of a page the page agent's own code took, from a CPU profile of the page's main thread
// (the DevTools Profiler). A sample is the agent's when the frame nearest its leaf that is the page's or the
// agent's is an agent function that does not call through to the page's code: the agent's wrappers call the
// method they replace as `original` (src/engine/patcher.ts), and what runs under such a call (the page's forward
// pass, its gradients, its optimizer step) is the page's. tfjs's own frames and the browser's are neither:
// they belong to whoever called them. Idle time, garbage collection and the compiler are nobody's, and so is
// waiting for the GPU (a WebGL call that returns only when the GPU has run everything queued before it, the
// page's work as much as the agent's: on SwiftShader the first such wait holds the compiles of all the page's
// shaders, whoever reads first).
//
// So this is the agent's main-thread work. The work it queues on the GPU is not in it (the page bench counts the
// programs run per step for that).
import ts from 'typescript';
import type { CpuProfile } from '../test/helpers/trainPage.ts';

type Node = CpuProfile['nodes'][number];

/** WebGL calls that wait for the GPU to run what was queued before them. */
const GPU_WAITS = new Set(['readPixels', 'getBufferSubData', 'clientWaitSync', 'finish', 'getError', 'getProgramParameter', 'getShaderParameter']);

/** Every function in the agent's source, as [start, end) offsets, and whether it calls through to the code it
 *  wraps. */
function callThroughFunctions(source: string): { start: number; end: number; callsThrough: boolean }[] {
  const file = ts.createSourceFile('agent.js', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found: { start: number; end: number; callsThrough: boolean }[] = [];
  const callsOriginal = (body: ts.Node): boolean => {
    let yes = false;
    const visit = (n: ts.Node): void => {
      if (yes || (n !== body && ts.isFunctionLike(n))) return;
      // original(...), original.call(...), original.apply(...)
      const callee = ts.isCallExpression(n) ? n.expression : null;
      const target = callee && ts.isPropertyAccessExpression(callee) && ['call', 'apply'].includes(callee.name.text) ? callee.expression : callee;
      if (target && ts.isIdentifier(target) && target.text === 'original') yes = true;
      else ts.forEachChild(n, visit);
    };
    visit(body);
    return yes;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) found.push({ start: n.getStart(file), end: n.end, callsThrough: callsOriginal(n.body as ts.Node) });
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

export interface FrameClock {
  /** The page's performance.now() when its benchClockMark() began. */
  clockMark: number;
  /** The end of each frame, on the same clock; frame i runs from the end of frame i - 1 (frame 0: the mark). */
  frameEnds: number[];
}

/**
 * The agent's main-thread milliseconds in each frame.
 * @param agentSource the agent bundle, which starts `lineOffset` lines into the script the page ran
 *   (AGENT_SOURCE_LINE_OFFSET in src/host/browser/launchPage.ts)
 */
export function agentMsPerFrame(profile: CpuProfile, agentUrl: string, pageUrlPart: string, agentSource: string, lineOffset: number, clock: FrameClock): number[] {
  const functions = callThroughFunctions(agentSource);
  if (!functions.some((f) => f.callsThrough)) throw new Error('agentShare: no function of the agent calls `original` through: the convention in src/engine/patcher.ts has changed');
  const lineStarts = [0];
  for (let i = 0; i < agentSource.length; i++) if (agentSource.charCodeAt(i) === 10) lineStarts.push(i + 1);
  /** Whether an agent frame calls through: the innermost function of the source that holds its position. */
  const callsThrough = (node: Node): boolean => {
    const offset = (lineStarts[node.callFrame.lineNumber - lineOffset] ?? -1) + node.callFrame.columnNumber;
    let inner: (typeof functions)[number] | null = null;
    for (const f of functions) if (f.start <= offset && offset < f.end && (!inner || f.start >= inner.start)) inner = f;
    return inner?.callsThrough ?? false;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Per profile node (a stack): whether a sample there is the agent's. */
  const owner = new Map<number, boolean>();
  const isAgents = (id: number): boolean => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id) as Node;
    const url = node.callFrame.url;
    let mine: boolean;
    if (url === agentUrl) mine = !callsThrough(node);
    else if (url.includes(pageUrlPart)) mine = false;
    else mine = parent.has(id) ? isAgents(parent.get(id) as number) : false;
    owner.set(id, mine);
    return mine;
  };
  // Sample times (µs), and where the page's clock mark is on them.
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const onStack = (id: number, name: string): boolean => {
    for (let n: number | undefined = id; n != null; n = parent.get(n)) if (byId.get(n)?.callFrame.functionName === name) return true;
    return false;
  };
  // The first sample in the mark is at most one sampling interval after it began: the frames may shift that much.
  const markAt = profile.samples.findIndex((id) => onStack(id, 'benchClockMark'));
  if (markAt < 0) throw new Error('agentShare: the profile never saw the page\'s benchClockMark()');
  const offsetUs = times[markAt] - clock.clockMark * 1000;
  const frames = clock.frameEnds.map(() => 0);
  let frame = 0;
  for (let i = 0; i + 1 < profile.samples.length; i++) {
    const pageMs = (times[i] - offsetUs) / 1000;
    if (pageMs < clock.clockMark) continue;
    while (frame < frames.length && pageMs >= clock.frameEnds[frame]) frame++;
    if (frame >= frames.length) break;
    const leaf = byId.get(profile.samples[i]) as Node;
    if (leaf.callFrame.url === '' && GPU_WAITS.has(leaf.callFrame.functionName)) continue;
    if (isAgents(leaf.id)) frames[frame] += (times[i + 1] - times[i]) / 1000;
  }
  return frames;
}
