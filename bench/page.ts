// Part (i) of npm run bench: training in a web page, with and without the page agent, in headless Chromium
// (Debian's chromium; webgl on SwiftShader, so GPU figures are a CPU emulation's), alternating plain and
// debugged page loads:
// - per step, on webgl and cpu: the median step time (one step per animation frame, warm-up left out);
// - responsiveness, on webgl: frames over 100 ms on the same page with a batch small enough that its own frames
//   stay under 100 ms on SwiftShader, so that a long frame with the agent is the agent's. Each is matched to the
//   gradient call it ran (the report says which calls were probed); and the shader programs compiled at step 0
//   and after it, which on any GPU are what makes a frame long the first time.
//
//   node --import tsx bench/page.ts [--quick]
import { loadTrainPage, type TrainPageOutput } from '../test/helpers/trainPage.ts';
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
  ].join('\n');
  return { title: 'Training in a page (webgl and cpu)', markdown, summary: summary.join(', ') };
}

/** Frames over 100 ms on the light page (webgl), plain and with the agent, each matched to its step. */
async function framesTable(rounds: number, steps: number): Promise<{ markdown: string; summary: string }> {
  const plain: PageResult[] = [];
  const debugged: PageResult[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await once('webgl', steps, false, LIGHT_BATCH));
    debugged.push(await once('webgl', steps, true, LIGHT_BATCH));
  }
  // Step 0 compiles the page's shaders (seconds, with or without the agent): it is left out and shown apart.
  const long = (r: PageResult) => r.frames.map((ms, step) => ({ ms, step })).filter((f) => f.step > 0 && f.ms > LONG_FRAME_MS);
  const row = (what: string, loads: PageResult[]) => {
    const longs = loads.map(long);
    const where = loads.flatMap((l, i) => longs[i].map((f) => `step ${f.step} (${Math.round(f.ms)} ms${l.probed.includes(f.step) ? ', probed' : ''})`));
    const firsts = loads.map((l) => l.frames[0]);
    const programs = loads.map((l) => l.programs);
    const compiled = `${median(programs.map((p) => p[0]))} | ${programs.map((p) => p[p.length - 1] - p[0]).join(', ')}`;
    return `| ${what} | ${median(loads.map((l) => median(l.frames.slice(1)))).toFixed(1)} | ${Math.round(median(firsts))} | ${compiled} | ${longs.map((l) => l.length).join(', ')} | ${where.join('; ') || 'none'} |`;
  };
  const agentLong = debugged.map((l) => long(l).length);
  const plainLong = plain.map((l) => long(l).length);
  const probedPerLoad = median(debugged.map((l) => l.probed.length));
  console.error(`page frames: over ${LONG_FRAME_MS} ms per load, plain ${plainLong.join(',')}, with the agent ${agentLong.join(',')}`);
  const markdown = [
    `Responsiveness: the same page with a batch of ${LIGHT_BATCH}, whose own frames stay under ${LONG_FRAME_MS} ms on SwiftShader once its`,
    `shaders are compiled (steps 1 and 2 may compile a few more), so that a later frame over ${LONG_FRAME_MS} ms with the agent is the agent's; ${rounds} loads each, ${steps} steps, webgl. Step 0 compiles the`,
    `page's shaders (seconds, with or without the agent) and is shown apart. Calls the agent probed per load (median): ${probedPerLoad}.`,
    'Programs: the webgl backend\'s program cache after step 0, and what it gained from there to the last step.',
    '',
    `| page | median frame ms | step 0 ms | programs compiled by step 0 | programs compiled after step 0, per load | frames over ${LONG_FRAME_MS} ms after step 0, per load | which |`,
    '| --- | ---: | ---: | ---: | --- | --- | --- |',
    row('plain', plain),
    row('with the agent', debugged),
  ].join('\n');
  return { markdown, summary: `frames over ${LONG_FRAME_MS} ms with the agent ${agentLong.join(',')}` };
}

if (require.main === module) runAlone(run);
