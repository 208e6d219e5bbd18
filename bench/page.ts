// Part (i) of npm run bench: training in a web page, with and without the page agent, in headless Chromium
// (Debian's chromium; webgl on SwiftShader, so GPU figures are a CPU emulation's), on webgl and cpu: the
// median step time (one step per animation frame, warm-up left out) and the frames over 100 ms, alternating
// plain and debugged page loads.
//
//   node --import tsx bench/page.ts [--quick]
import * as path from 'node:path';
import { launchPage } from '../src/host/browser/launchPage.ts';
import { runAlone, type BenchSection } from './section.ts';

const ROOT = path.resolve(__dirname, '..');
const PAGE = path.join(ROOT, 'bench', 'pages', 'train.html');
const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';

interface PageResult { median: number; longFrames: number; backend: string }

async function once(backend: string, steps: number, inject: boolean): Promise<PageResult> {
  let line = '';
  // The page says when it is done; the run is stopped then (a plain page sends no events to go idle on).
  const handle = launchPage({
    target: `file://${PAGE}?backend=${backend}&steps=${steps}`, root: path.dirname(PAGE), browser: BROWSER, headless: true,
    idleMs: 120_000, agentPath: path.join(ROOT, 'dist', 'page-agent.js'), inject,
    onOutput: (text) => {
      if (!text.startsWith('BENCH ')) return;
      line = text.slice(6);
      handle.cancel();
    },
  });
  await handle.done;
  if (!line) throw new Error(`the bench page on ${backend} printed no result`);
  return JSON.parse(line) as PageResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
    // Frames over 100 ms in a load: the median load's count, and the worst load's.
    const long = (xs: PageResult[]) => `${median(xs.map((x) => x.longFrames))} (${Math.max(...xs.map((x) => x.longFrames))})`;
    rows.push(`| ${backend} | ${p.toFixed(1)} | ${d.toFixed(1)} | ${ratio.toFixed(3)} (${ratio <= 1.15 ? 'met' : 'not met'}) | ${long(plain)} | ${long(debugged)} |`);
    summary.push(`${backend} ${ratio.toFixed(3)}`);
    console.error(`page ${backend}: ${p.toFixed(1)} → ${d.toFixed(1)} ms per step, ratio ${ratio.toFixed(3)}; frames over 100 ms ${long(plain)} → ${long(debugged)}`);
  }
  const markdown = [
    `A page that trains a small CNN with BatchNorm and Dropout (bench/pages/train.html: 16x16x1, batch 32, one step per`,
    `animation frame, ${steps} steps, the first 3 left out), loaded plainly and with the page agent at the defaults, alternating,`,
    `${rounds} loads each; medians. Headless Chromium: webgl runs on SwiftShader (a CPU emulation of the GPU), so these`,
    'figures say what the agent adds to a step, not what a real GPU does. Target: ≤ 1.15 per step on webgl.',
    `Frames over 100 ms: of the ${steps - 3} frames a load measures, the median load's count (the worst load's in brackets).`,
    '',
    '| backend | plain ms/step | debugger ms/step | ratio (≤ 1.15) | frames over 100 ms, plain | with the agent |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  return { title: 'Training in a page (webgl and cpu)', markdown, summary: summary.join(', ') };
}

if (require.main === module) runAlone(run);
