// Issue 14 (k): a live view that keeps up. The host's RunStore and PanelFeed (what DebuggerPanel runs) post into the
// real panel bundle in headless Chromium (test/webview/harness.ts), on the real clock:
//  1. Throughput: synthetic gradient calls (50 layers each, calls 1–50 probed, then every 10th) folded into a run's
//     one LiveReport at a set rate for a few seconds; the panel's call count is read as it goes. "Keeps up" means
//     the panel shows the last call within a second of it (the lag is measured, not assumed), at a bounded byte
//     rate: bytes and messages posted per second, the largest message.
//  2. Stop: the real runner on a long training loop (test/e2e/fixtures/workspace/long-run.js) through
//     launchRunner({live}), as RunController starts it; after 20 gradient calls, cancel() (what Stop does). Timed
//     from cancel(): the panel shows "stopping…", the runner has exited, the panel shows "stopped". The page stamps
//     each status change with Date.now() (the same clock as the host's on one machine).
//
//   node --import tsx bench/liveFeed.ts [--quick]      (after npm run build)
import * as path from 'node:path';
import { launchRunner } from '../src/host/launch.ts';
import { BYTES_PER_SECOND, PanelFeed } from '../src/extension/logic/panelFeed.ts';
import { RunStore, type RunRequest } from '../src/extension/logic/runStore.ts';
import { launchChromium, openPanel, type Panel } from '../test/webview/harness.ts';
import { runEnd, syntheticEvents } from '../test/helpers/syntheticRun.ts';
import type { BenchSection } from './section.ts';
import { median, runAlone } from './section.ts';

const ROOT = path.resolve(__dirname, '..');
const LONG_RUN = path.join(ROOT, 'test', 'e2e', 'fixtures', 'workspace', 'long-run.js');
const LAYERS = 50;
const REQUEST: RunRequest = { kind: 'script', target: '/t.js', args: [], cwd: '/' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Connected { store: RunStore; feed: PanelFeed; bytes: number[] }

async function connect(panel: Panel): Promise<Connected> {
  const store = new RunStore(null);
  const bytes: number[] = [];
  const feed = new PanelFeed(store, (m) => {
    bytes.push(JSON.stringify(m).length);
    panel.post(m).catch(() => undefined);
  });
  await panel.page.waitForFunction(() => ((window as any).__tfd?.posted?.length ?? 0) >= 1);
  feed.attach();
  return { store, feed, bytes };
}

/** The call count the panel shows. */
async function shownCalls(panel: Panel): Promise<number> {
  const t = await panel.page.evaluate(() => document.querySelector('#run-calls')?.textContent ?? '');
  return Number((/of ([\d,]+) gradient call/.exec(t)?.[1] ?? '0').replace(/,/g, ''));
}

interface RateResult { rate: number; achieved: number; seconds: number; lagMs: number; maxBehind: number; bytesPerSecond: number; messagesPerSecond: number; largest: number }

async function atRate(panel: Panel, rate: number, seconds: number): Promise<RateResult> {
  const { store, feed, bytes } = await connect(panel);
  const run = store.start(REQUEST);
  const total = Math.round(rate * seconds);
  const events = syntheticEvents(total, LAYERS);
  const live = run.live!;
  for (const e of events.slice(0, 2)) live.apply(e);
  const sentBefore = bytes.length;
  let i = 2;
  let maxBehind = 0;
  const t0 = Date.now();
  let nextSample = t0 + 250;
  // Events at the rate, in slices of 10 ms; the panel's count is read every 250 ms.
  while (i < events.length) {
    const due = Math.min(events.length, 2 + Math.floor(((Date.now() - t0) / 1000) * rate));
    for (; i < due; i++) live.apply(events[i]);
    if (Date.now() >= nextSample) {
      nextSample += 250;
      maxBehind = Math.max(maxBehind, live.gradientCallCount - (await shownCalls(panel)));
    }
    await sleep(10);
  }
  const streamed = (Date.now() - t0) / 1000;
  const tEnd = Date.now();
  let lagMs = -1;
  while (Date.now() - tEnd < 10_000) {
    if ((await shownCalls(panel)) === total) {
      lagMs = Date.now() - tEnd;
      break;
    }
    await sleep(20);
  }
  const posted = bytes.slice(sentBefore);
  const result: RateResult = {
    rate, achieved: total / streamed, seconds: streamed, lagMs, maxBehind,
    bytesPerSecond: posted.reduce((a, b) => a + b, 0) / streamed, messagesPerSecond: posted.length / streamed, largest: Math.max(0, ...posted),
  };
  live.apply(runEnd(total));
  await store.finish(run.id, live.snapshot());
  feed.dispose();
  return result;
}

interface StopResult { calls: number; stoppingMs: number; exitedMs: number; stoppedMs: number }

async function stopLatency(panel: Panel): Promise<StopResult> {
  const { store, feed } = await connect(panel);
  await panel.page.evaluate(`(() => {
    window.__stamps = {};
    new MutationObserver(() => {
      const s = document.querySelector('#run-status');
      const st = s && s.getAttribute('data-status');
      if (st && !(st in window.__stamps)) window.__stamps[st] = Date.now();
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  })()`);
  const run = store.start({ kind: 'script', target: LONG_RUN, args: [], cwd: path.dirname(LONG_RUN) });
  const handle = launchRunner({ script: LONG_RUN, distDir: path.join(ROOT, 'dist'), stdio: 'pipe', live: run.live!, onOutput: () => undefined });
  let exitedAt = 0;
  const done = handle.done.then(async ({ report }) => {
    exitedAt = Date.now();
    await store.finish(run.id, report);
  });
  while (run.gradientCallCount < 20) await sleep(20);
  const calls = run.gradientCallCount;
  const t0 = Date.now();
  handle.cancel();
  await done;
  let stamps: Record<string, number> = {};
  for (let k = 0; k < 500 && !('cancelled' in stamps); k++) {
    stamps = await panel.page.evaluate('window.__stamps') as Record<string, number>;
    await sleep(10);
  }
  feed.dispose();
  return { calls, stoppingMs: (stamps.stopping ?? NaN) - t0, exitedMs: exitedAt - t0, stoppedMs: (stamps.cancelled ?? NaN) - t0 };
}

const kb = (b: number) => `${(b / 1000).toFixed(1)} kB`;

export async function run(opts: { quick: boolean }): Promise<BenchSection> {
  const browser = await launchChromium();
  try {
    const rates = opts.quick ? [100, 1000] : [100, 300, 1000, 3000];
    const seconds = opts.quick ? 3 : 6;
    const results: RateResult[] = [];
    for (const rate of rates) {
      const panel = await openPanel(browser);
      try {
        results.push(await atRate(panel, rate, seconds));
      } finally {
        await panel.close();
      }
    }
    const stops: StopResult[] = [];
    for (let k = 0; k < (opts.quick ? 2 : 5); k++) {
      const panel = await openPanel(browser);
      try {
        stops.push(await stopLatency(panel));
      } finally {
        await panel.close();
      }
    }
    const keptUp = results.filter((r) => r.lagMs >= 0 && r.lagMs <= 1000);
    const best = keptUp.at(-1);
    const rows = results.map((r) => `| ${r.rate} | ${r.achieved.toFixed(0)} | ${r.lagMs < 0 ? 'not within 10 s' : `${r.lagMs} ms`} | ${r.maxBehind} | ` +
      `${kb(r.bytesPerSecond)}/s | ${r.messagesPerSecond.toFixed(1)} | ${kb(r.largest)} |`);
    const stopRows = stops.map((s, i) => `| ${i + 1} | ${s.calls} | ${s.stoppingMs} ms | ${s.exitedMs} ms | ${s.stoppedMs} ms |`);
    const markdown = [
      'The host\'s RunStore and PanelFeed post into the real panel (headless Chromium), on the real clock. A run of',
      `${LAYERS}-layer gradient calls (calls 1–50 probed, then every 10th) streams at each rate for ${seconds} s; the panel's`,
      'call count is read every 250 ms ("behind": calls the host had that the panel did not show yet) and, once the',
      'stream stops, until it shows the last call ("lag"). Bytes are the JSON the feed posts (its budget: ' +
        `${kb(BYTES_PER_SECOND)}/s on average, each message holding back the next for as long as its size takes).`,
      '',
      '| events/s asked | events/s sent | lag after the last | most behind | bytes posted | messages/s | largest message |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      'Stop: the real runner on test/e2e/fixtures/workspace/long-run.js through launchRunner({live}), as RunController',
      'starts it; cancel() (what Stop does) after 20 gradient calls. Times from cancel() until the panel shows',
      '"stopping…", until the runner has exited, and until the panel shows "stopped".',
      '',
      '| round | calls | "stopping…" shown | runner exited | "stopped" shown |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...stopRows,
      '',
      `Median: "stopping…" after ${median(stops.map((s) => s.stoppingMs))} ms, "stopped" after ${median(stops.map((s) => s.stoppedMs))} ms ` +
        `(${median(stops.map((s) => s.stoppedMs - s.exitedMs))} ms after the runner exited).`,
    ].join('\n');
    const summary = `panel keeps up to ${best ? `${best.rate} events/s (lag ${best.lagMs} ms, ${kb(best.bytesPerSecond)}/s)` : 'none of the rates'}; ` +
      `Stop: "stopping…" ${median(stops.map((s) => s.stoppingMs))} ms, "stopped" ${median(stops.map((s) => s.stoppedMs))} ms`;
    return { title: 'Live view: events the panel keeps up with, bytes posted, Stop to shown', markdown, summary };
  } finally {
    await browser.close();
  }
}

if (require.main === module) runAlone(run);
