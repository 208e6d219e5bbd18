// bench/pages/train.html (a small CNN trained one step per animation frame) loaded in headless Chromium, plainly
// or with the page agent: what the page printed when done, and the run's report. Used by the page bench and by
// the page test on shader programs.
import * as path from 'node:path';
import { launchPage } from '../../src/host/browser/launchPage.ts';
import type { RunReport } from '../../src/protocol/report.ts';

const ROOT = path.resolve(__dirname, '..', '..');
export const TRAIN_PAGE = path.join(ROOT, 'bench', 'pages', 'train.html');
const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';
/** The page agent the page is loaded with. */
export const AGENT_BUNDLE = path.join(ROOT, 'dist', 'page-agent.js');

/** What the page prints when done. */
export interface TrainPageOutput {
  /** Median step time, warm-up left out, in ms. */
  median: number;
  /** Each step's frame, in ms. */
  frames: number[];
  /** When each step's frame ended (the page's performance.now()). */
  frameEnds: number[];
  /** When the page's benchClockMark() started (performance.now()): it busy-waits 5 ms, before step 0. */
  clockMark: number;
  /** webgl: the programs compiled by the end of each step. */
  programs: number[];
  /** webgl: the programs run in each step (the page's and the agent's). */
  runs: number[];
  backend: string;
}

/** How often the CPU profile samples the page's main thread, in µs. */
export const PROFILE_INTERVAL_US = 250;

/** A DevTools CPU profile (Profiler.stop): times in microseconds. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Loads the page; with `profile`, a CPU profile of its main thread from before its first script to its result
 *  (sampled every `PROFILE_INTERVAL_US`). */
export async function loadTrainPage(o: { backend: string; steps: number; batch: number; inject: boolean; profile?: boolean }): Promise<{ output: TrainPageOutput; report: RunReport; profile: CpuProfile | null }> {
  let line = '';
  let send: ((method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>) | null = null;
  let stopped: Promise<CpuProfile | null> = Promise.resolve(null);
  // The page says when it is done; the run is stopped then (a plain page sends no events to go idle on).
  const handle = launchPage({
    target: `file://${TRAIN_PAGE}?backend=${o.backend}&steps=${o.steps}&batch=${o.batch}`, root: path.dirname(TRAIN_PAGE), browser: BROWSER,
    headless: true, idleMs: 120_000, agentPath: AGENT_BUNDLE, inject: o.inject,
    onPageSession: o.profile ? async (s) => {
      send = s;
      await s('Profiler.enable');
      await s('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
      await s('Profiler.start');
    } : undefined,
    onOutput: (text) => {
      if (!text.startsWith('BENCH ')) return;
      line = text.slice(6);
      if (send) stopped = send('Profiler.stop').then((r) => r.profile as CpuProfile, () => null);
      void stopped.finally(() => handle.cancel());
    },
  });
  const { report } = await handle.done;
  if (!line) throw new Error(`the bench page on ${o.backend} printed no result`);
  return { output: JSON.parse(line) as TrainPageOutput, report, profile: await stopped };
}
