// Part (i) of npm run bench: training in a web page, with and without the page agent, in headless Chromium
// (Debian's chromium; webgl on SwiftShader, so GPU figures are a CPU emulation's), alternating plain and
// debugged page loads:
// - per step, on webgl and cpu: the median step time (one step per animation frame, warm-up left out);
// - responsiveness, on webgl: frames over 100 ms on the same page with a batch small enough that its own frames
//   stay under 100 ms on SwiftShader, so that a long frame with the agent is the agent's. Each is matched to the
//   gradient call it ran (the report says which calls were probed); and the shader programs compiled at step 0
//   and after it, which on any GPU are what makes a frame long the first time; the programs run per step;
// - the agent's own main-thread time in each frame, from CPU profiles of the same page (agentShare.ts), and the
//   frames over 100 ms that its share made long.
//
//   node --import tsx bench/page.ts [--quick]
import { readFileSync } from 'node:fs';
import { AGENT_SOURCE_LINE_OFFSET, AGENT_SOURCE_URL } from '../src/host/browser/launchPage.ts';
import { AGENT_BUNDLE, loadTrainPage, PROFILE_INTERVAL_US, type TrainPageOutput } from '../test/helpers/trainPage.ts';
import { agentMsPerFrame } from './agentShare.ts';
import { median, runAlone, type BenchSection } from './section.ts';

interface PageResult extends TrainPageOutput {
  /** With the agent: the steps (0-based) whose gradient call was probed. */
  probed: number[];
}

const LONG_FRAME_MS = 100;
/** The frames-test page's batch: its own frames stay under 100 ms on SwiftShader. */
const LIGHT_BATCH = 4;

async function once(backend: string, steps: number, inject: boolean, batch = 32): Promise<PageResult> {
  const { output, report } = await loadTrainPage({ backend, steps, batch, inject });
  // One gradient call per step (optimizer.minimize): call i + 1 is step i.
  const probed = report.gradientCalls.filter((c) => c.probed).map((c) => c.index - 1);
  return { ...output, probed };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchSection> {
  // The machine's noise from load to load is ±15%: five loads of sixty steps each, and medians.
  const rounds = quick ? 1 : 5;
  const steps = quick ? 20 : 60;
  const rows: string[] = [];
  const summary: string[] = [];
  for (const backend of ['webgl', 'cpu']) {
    const plain: PageResult[] = [];
    const debugged: PageResult[] = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(await once(backend, steps, false));
      debugged.push(await once(backend, steps, true));
    }
    const p = median(plain.map((x) => x.median));
    const d = median(debugged.map((x) => x.median));
    const ratio = d / p;
    rows.push(`| ${backend} | ${p.toFixed(1)} | ${d.toFixed(1)} | ${ratio.toFixed(3)} (${ratio <= 1.15 ? 'met' : 'not met'}) |`);
    summary.push(`${backend} ${ratio.toFixed(3)}`);
    console.error(`page ${backend}: ${p.toFixed(1)} → ${d.toFixed(1)} ms per step, ratio ${ratio.toFixed(3)}`);
  }
  const frames = await framesTable(rounds, steps);
  summary.push(frames.summary);
  const share = await shareTable(quick ? 1 : 3, steps, frames.runs, frames.plainLongAt);
  summary.push(share.summary);
  const markdown = [
    `A page that trains a small CNN with BatchNorm and Dropout (bench/pages/train.html: 16x16x1, batch 32, one step per`,
    `animation frame, ${steps} steps, the first 3 left out), loaded plainly and with the page agent at the defaults, alternating,`,
    `${rounds} loads each; medians. Headless Chromium: webgl runs on SwiftShader (a CPU emulation of the GPU), so these`,
    'figures say what the agent adds to a step, not what a real GPU does. Target: ≤ 1.15 per step on webgl.',
    '',
    '| backend | plain ms/step | debugger ms/step | ratio (≤ 1.15) |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    frames.markdown,
    '',
    share.markdown,
  ].join('\n');
  return { title: 'Training in a page (webgl and cpu)', markdown, summary: summary.join(', ') };
}

/** Frames over 100 ms on the light page (webgl), plain and with the agent, each matched to its step. */
/** How many of the plain loads' frames at a step were over 100 ms, and of how many loads. */
type PlainLongAt = (step: number) => { long: number; loads: number };

async function framesTable(rounds: number, steps: number): Promise<{ markdown: string; summary: string; runs: { plain: number; agent: number }; plainLongAt: PlainLongAt }> {
  const plain: PageResult[] = [];
  const debugged: PageResult[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await once('webgl', steps, false, LIGHT_BATCH));
    debugged.push(await once('webgl', steps, true, LIGHT_BATCH));
  }
  const runsPerStep = (loads: PageResult[]) => median(loads.map((l) => median(l.runs.slice(1))));
  // Step 0 compiles the page's shaders (seconds, with or without the agent): it is left out and shown apart.
  const long = (r: PageResult) => r.frames.map((ms, step) => ({ ms, step })).filter((f) => f.step > 0 && f.ms > LONG_FRAME_MS);
  const row = (what: string, loads: PageResult[]) => {
    const longs = loads.map(long);
    const where = loads.flatMap((l, i) => longs[i].map((f) => `step ${f.step} (${Math.round(f.ms)} ms${l.probed.includes(f.step) ? ', probed' : ''})`));
    const firsts = loads.map((l) => l.frames[0]);
    const programs = loads.map((l) => l.programs);
    const compiled = `${median(programs.map((p) => p[0]))} | ${programs.map((p) => p[p.length - 1] - p[0]).join(', ')}`;
    return `| ${what} | ${median(loads.map((l) => median(l.frames.slice(1)))).toFixed(1)} | ${Math.round(median(firsts))} | ${compiled} | ${runsPerStep(loads)} | ${longs.map((l) => l.length).join(', ')} | ${where.join('; ') || 'none'} |`;
  };
  const agentLong = debugged.map((l) => long(l).length);
  const plainLong = plain.map((l) => long(l).length);
  const probedPerLoad = median(debugged.map((l) => l.probed.length));
  console.error(`page frames: over ${LONG_FRAME_MS} ms per load, plain ${plainLong.join(',')}, with the agent ${agentLong.join(',')}`);
  const markdown = [
    `Responsiveness: the same page with a batch of ${LIGHT_BATCH}, whose own frames stay under ${LONG_FRAME_MS} ms on SwiftShader once its`,
    `shaders are compiled (steps 1 and 2 may compile a few more), so that a later frame over ${LONG_FRAME_MS} ms with the agent is the agent's; ${rounds} loads each, ${steps} steps, webgl. Step 0 compiles the`,
    `page's shaders (seconds, with or without the agent) and is shown apart. Calls the agent probed per load (median): ${probedPerLoad}.`,
    'Programs: the webgl backend\'s program cache after step 0, and what it gained from there to the last step; and the programs',
    'run in a step (median after step 0), the page\'s and the agent\'s.',
    '',
    `| page | median frame ms | step 0 ms | programs compiled by step 0 | programs compiled after step 0, per load | programs run per step | frames over ${LONG_FRAME_MS} ms after step 0, per load | which |`,
    '| --- | ---: | ---: | ---: | --- | ---: | --- | --- |',
    row('plain', plain),
    row('with the agent', debugged),
  ].join('\n');
  const plainLongAt: PlainLongAt = (step) => ({ long: plain.filter((l) => (l.frames[step] ?? 0) > LONG_FRAME_MS).length, loads: plain.length });
  return { markdown, summary: `frames over ${LONG_FRAME_MS} ms with the agent ${agentLong.join(',')}`, runs: { plain: runsPerStep(plain), agent: runsPerStep(debugged) }, plainLongAt };
}

/** The agent's own main-thread time per frame on the light page (webgl), from a CPU profile of each load; and
 *  the frames over 100 ms it made long, by that share alone and with its share of the GPU's work added (its
 *  programs' share of the programs run per step, `runs`, of the frame). */
async function shareTable(loads: number, steps: number, runs: { plain: number; agent: number }, plainLongAt: PlainLongAt): Promise<{ markdown: string; summary: string }> {
  const source = readFileSync(AGENT_BUNDLE, 'utf8');
  const profiled: { frames: number[]; share: number[] }[] = [];
  for (let r = 0; r < loads; r++) {
    const { output, profile } = await loadTrainPage({ backend: 'webgl', steps, batch: LIGHT_BATCH, inject: true, profile: true });
    if (!profile) throw new Error('the page bench got no CPU profile');
    profiled.push({ frames: output.frames, share: agentMsPerFrame(profile, AGENT_SOURCE_URL, 'train.html', source, AGENT_SOURCE_LINE_OFFSET, output) });
  }
  const later = profiled.flatMap((r) => r.share.slice(1)).sort((a, b) => a - b);
  const at = (q: number) => later[Math.min(later.length - 1, Math.floor(q * later.length))];
  const gpuShare = Math.max(0, runs.agent - runs.plain) / runs.agent;
  /** The frames over 100 ms that would be 100 ms or less without what `agentMs` says was the agent's. */
  /** The frames over 100 ms that would be 100 ms or less without what `agentMs` says was the agent's; with how
   *  many of the plain loads made the same step long on their own. */
  const madeLong = (agentMs: (frameMs: number, share: number) => number) => profiled.flatMap((r) => r.frames.flatMap((ms, step) => {
    const mine = agentMs(ms, r.share[step]);
    if (step === 0 || ms <= LONG_FRAME_MS || ms - mine > LONG_FRAME_MS) return [];
    const plainAt = plainLongAt(step);
    return [{ plainAlone: plainAt.long > plainAt.loads / 2, text: `step ${step} (${Math.round(ms)} ms, ${mine.toFixed(1)} the agent's; plain: over ${LONG_FRAME_MS} ms in ${plainAt.long} of ${plainAt.loads} loads)` }];
  }));
  const byThread = madeLong((_, share) => share);
  const withGpu = madeLong((ms, share) => share + gpuShare * (ms - share));
  // A step the plain page makes long in most of its loads is long without the agent: the agent did not make it so.
  const agents = withGpu.filter((f) => !f.plainAlone);
  const longs = profiled.map((r) => r.frames.filter((ms, step) => step > 0 && ms > LONG_FRAME_MS).length);
  const list = (frames: { text: string }[]) => frames.map((f) => f.text).join('; ') || 'none';
  console.error(`page agent's main-thread ms per frame: median ${at(0.5).toFixed(1)}, 95th percentile ${at(0.95).toFixed(1)}, max ${at(1).toFixed(1)}; frames it made long: ${byThread.length}, with its GPU share ${withGpu.length}, at steps the plain page keeps short ${agents.length}`);
  const markdown = [
    `The agent's own time on the page's main thread, per frame: the same light page with the agent, ${loads} loads of ${steps} steps, each under the`,
    `DevTools CPU profiler (every ${PROFILE_INTERVAL_US} µs); a sample is the agent's when the nearest code above it is the agent's and not a call through to the`,
    'page\'s (bench/agentShare.ts). Not in it: what the agent queues on the GPU, which runs later and is waited for by whoever reads next (here',
    'the page\'s own loss.dataSync()); the programs-run column above counts that work. The profiler slows JavaScript, the agent\'s more than the',
    'page\'s, so these frames are longer than unprofiled ones and the agent\'s share is, if anything, overstated. A frame over 100 ms is the agent\'s',
    'when it would be 100 ms or less without the agent\'s share: its main-thread share alone, or that and its share of the rest of the frame',
    `as it has of the programs run per step (${runs.agent - runs.plain} of ${runs.agent}, as if its programs cost what the page's do; they are small reductions and copies).`,
    `Each such frame says in how many of the plain loads above the same step was over ${LONG_FRAME_MS} ms. Where it was in most of them (the warm-up`,
    'steps, which compile a few more programs), the frame is long without the agent: the last column leaves those out, and is what the target counts.',
    '',
    `| agent ms per frame after step 0: median | 95th percentile | max | step 0: agent ms of the frame's ms (median) | frames over ${LONG_FRAME_MS} ms after step 0, per load | the agent's, by its main-thread share | the agent's, with its GPU share | of those, at steps the plain page keeps under ${LONG_FRAME_MS} ms (target: none) |`,
    '| ---: | ---: | ---: | --- | --- | --- | --- | --- |',
    `| ${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} | ${at(1).toFixed(1)} | ${Math.round(median(profiled.map((r) => r.share[0])))} of ${Math.round(median(profiled.map((r) => r.frames[0])))} | ${longs.join(', ')} | ${list(byThread)} | ${list(withGpu)} | ${list(agents)} |`,
  ].join('\n');
  return { markdown, summary: `agent main-thread ms per frame median ${at(0.5).toFixed(1)} max ${at(1).toFixed(1)}, frames it made long ${byThread.length} (${withGpu.length} with its GPU share; ${agents.length} at steps the plain page keeps short)` };
}

if (require.main === module) runAlone(run);
