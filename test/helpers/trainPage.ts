// bench/pages/train.html (a small CNN trained one step per animation frame) loaded in headless Chromium, plainly
// or with the page agent: what the page printed when done, and the run's report. Used by the page bench and by
// the page test on shader programs.
import * as path from 'node:path';
import { launchPage } from '../../src/host/browser/launchPage.ts';
import type { RunReport } from '../../src/protocol/report.ts';

const ROOT = path.resolve(__dirname, '..', '..');
export const TRAIN_PAGE = path.join(ROOT, 'bench', 'pages', 'train.html');
const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';

/** What the page prints when done. */
export interface TrainPageOutput {
  /** Median step time, warm-up left out, in ms. */
  median: number;
  /** Each step's frame, in ms. */
  frames: number[];
  /** webgl: the programs compiled by the end of each step. */
  programs: number[];
  backend: string;
}

export async function loadTrainPage(o: { backend: string; steps: number; batch: number; inject: boolean }): Promise<{ output: TrainPageOutput; report: RunReport }> {
  let line = '';
  // The page says when it is done; the run is stopped then (a plain page sends no events to go idle on).
  const handle = launchPage({
    target: `file://${TRAIN_PAGE}?backend=${o.backend}&steps=${o.steps}&batch=${o.batch}`, root: path.dirname(TRAIN_PAGE), browser: BROWSER,
    headless: true, idleMs: 120_000, agentPath: path.join(ROOT, 'dist', 'page-agent.js'), inject: o.inject,
    onOutput: (text) => {
      if (!text.startsWith('BENCH ')) return;
      line = text.slice(6);
      handle.cancel();
    },
  });
  const { report } = await handle.done;
  if (!line) throw new Error(`the bench page on ${o.backend} printed no result`);
  return { output: JSON.parse(line) as TrainPageOutput, report };
}
