// What the host posts to the panel's webview (PanelFeed) while a run streams and when it ends, on a clock the test
// moves: small updates (never a whole report while the run goes) at a bounded byte rate, a view kept in step
// with the host's report, per-layer data only while the layer table is on screen, "stopping" and the end posted at
// once, older runs opened, two runs compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReportUpdate } from '../../src/model/reportUpdate.ts';
import type { RunReport } from '../../src/protocol/report.ts';
import type { HostToWebview } from '../../src/protocol/webviewMessages.ts';
import { BYTES_PER_SECOND, PanelFeed } from '../../src/extension/logic/panelFeed.ts';
import { RunStore, type RunRequest } from '../../src/extension/logic/runStore.ts';
import { ManualClock, runEnd, syntheticEvents } from '../helpers/syntheticRun.ts';

const REQUEST: RunRequest = { kind: 'script', target: '/t.js', args: [], cwd: '/' };
const OPTIONS = { probeAllFirst: 50, probeEvery: 10, historySize: 1000, lossGapTolerance: 1e-4, attribution: 'auto' } as const;

interface Posted { at: number; bytes: number; message: HostToWebview }

function setup(): ClockWithStore {
  return new ClockWithStore();
}

class ClockWithStore {
  readonly clock = new ManualClock();
  readonly store = new RunStore(null, { timers: this.clock, now: () => this.clock.now() });
  readonly posted: Posted[] = [];
  /** The report as the webview holds it, from what was posted. */
  view: RunReport | null = null;
  readonly feed = new PanelFeed(this.store, (message) => {
    this.posted.push({ at: this.clock.now(), bytes: JSON.stringify(message).length, message });
    if (message.type === 'update') this.view = applyReportUpdate(this.view, message.update);
    else if (message.type === 'report' || message.type === 'run-ended') this.view = message.report;
  }, { timers: this.clock });
}

test('a long run: updates only, at a bounded byte rate, and the view keeps up with the host\'s report', () => {
  const { clock, store, posted, feed } = setup();
  feed.attach();
  const run = store.start(REQUEST, OPTIONS);
  const live = run.live!;
  const CALLS = 3000;
  const events = syntheticEvents(CALLS, 200);
  // 1000 events a second.
  for (const e of events) {
    live.apply(e);
    clock.advance(1);
  }
  const streamed = posted.filter((p) => p.at > 0);
  assert.ok(streamed.length >= 8, `${streamed.length} messages`);
  assert.deepEqual([...new Set(streamed.map((p) => p.message.type))], ['update'], 'no whole report while the run streams');
  // The rate: what was posted after the first message fits in the byte budget of the time it took, plus one message.
  const [first, ...rest] = streamed;
  const bytes = rest.reduce((n, p) => n + p.bytes, 0);
  const seconds = (streamed.at(-1)!.at - first.at) / 1000;
  const largest = Math.max(...streamed.map((p) => p.bytes));
  assert.ok(bytes <= BYTES_PER_SECOND * seconds + largest, `${bytes} bytes in ${seconds} s (largest ${largest})`);
  assert.equal(feed.stats.reports, 1, 'one whole report: the empty state when the panel attached, before the run');

  // Once the events stop, the next paced update brings the view level with the host: every kept call's losses,
  // each layer's latest record.
  clock.advance(5000);
  const host = live.snapshot();
  const view = (posted.at(-1)!.message as Extract<HostToWebview, { type: 'update' }>).update;
  assert.equal(view.to, live.version, 'the view holds the latest version');
  const mirrored = mirror(posted);
  assert.equal(mirrored.gradientCallCount, CALLS);
  // Every probed call the host keeps (the chart's points); unprobed calls are counted, and come with the final report.
  const points = (r: RunReport) => r.gradientCalls.filter((c) => c.probed).map((c) => [c.index, c.lossBefore, c.lossDuring, c.lossAfter]);
  assert.deepEqual(points(mirrored), points(host));
  assert.equal(mirrored.gradientCallsDropped, host.gradientCallsDropped);
  const lastProbed = [...mirrored.gradientCalls].reverse().find((c) => c.probed)!;
  assert.equal(lastProbed.index, CALLS);
  assert.equal(lastProbed.layers.length, 200, 'each layer\'s latest record with statistics is held');

  // The end: the final report, posted at once (no clock moves).
  const before = posted.length;
  live.apply(runEnd(CALLS));
  void store.finish(run.id, live.snapshot());
  assert.equal(posted.length, before + 1);
  assert.equal(posted.at(-1)!.message.type, 'run-ended');
  feed.dispose();
});

/** The report the webview builds from the posted messages. */
function mirror(posted: Posted[]): RunReport {
  let view: RunReport | null = null;
  for (const { message } of posted) {
    if (message.type === 'update') view = applyReportUpdate(view, message.update);
    else if (message.type === 'report' || message.type === 'run-ended') view = message.report;
  }
  return view!;
}

test('per-layer data only while the layer table or detail is on screen (the selected layer\'s always)', () => {
  const { clock, store, posted, feed } = setup();
  feed.attach();
  const run = store.start(REQUEST, OPTIONS);
  const events = syntheticEvents(200, 50);
  for (const e of events.slice(0, 60)) {
    run.live!.apply(e);
    clock.advance(5);
  }
  clock.advance(2000);
  feed.setLayersOnScreen(false);
  feed.select(7);
  const from = posted.length;
  for (const e of events.slice(60)) {
    run.live!.apply(e);
    clock.advance(5);
  }
  clock.advance(2000);
  const updates = posted.slice(from).map((p) => p.message).filter((m): m is Extract<HostToWebview, { type: 'update' }> => m.type === 'update');
  assert.ok(updates.length > 3);
  const records = updates.flatMap((u) => u.update.calls.flatMap((c) => c.layers.map((r) => r.layer)));
  assert.ok(records.length > 0 && records.every((l) => l === 7), 'only the selected layer\'s records');
  assert.ok(updates.every((u) => u.update.layerTotals.length === 0), 'no per-layer totals');
  // Back on screen: the latest records of every layer come at once.
  feed.setLayersOnScreen(true);
  clock.advance(1000);
  const back = posted.at(-1)!.message as Extract<HostToWebview, { type: 'update' }>;
  assert.equal(back.type, 'update');
  assert.equal(new Set(back.update.calls.flatMap((c) => c.layers.map((r) => r.layer))).size, 50);
  feed.dispose();
});

test('Stop: "stopping" is posted at once, the final state as soon as the runner has ended; a hidden panel gets nothing', async () => {
  const { clock, store, posted, feed } = setup();
  feed.attach();
  const run = store.start(REQUEST, OPTIONS);
  for (const e of syntheticEvents(30, 5)) run.live!.apply(e);
  clock.advance(1000);
  const n = posted.length;
  run.live!.end('cancelled', { message: 'The run was stopped.', file: null, line: null }, null);
  assert.equal(posted.length, n + 1, 'posted without waiting for the clock');
  const stopping = posted.at(-1)!.message;
  assert.equal(stopping.type, 'update');
  assert.deepEqual(stopping.type === 'update' && stopping.run?.phase, 'stopping');
  await store.finish(run.id, run.report());
  const ended = posted.at(-1)!.message;
  assert.equal(ended.type, 'run-ended');
  assert.equal(ended.type === 'run-ended' && ended.run?.phase, 'cancelled');

  feed.detach();
  const hidden = posted.length;
  const next = store.start(REQUEST, OPTIONS);
  for (const e of syntheticEvents(30, 5)) next.live!.apply(e);
  clock.advance(1000);
  assert.equal(posted.length, hidden, 'nothing while the webview is gone');
  feed.attach();
  const state = posted.at(-1)!.message;
  assert.equal(state.type === 'update' && state.update.from, 0, 'the whole state again when it is back, as an update from 0');
  feed.dispose();
});

test('an older run opened in the panel: its report; two runs compared side by side', async () => {
  const { clock, store, posted, feed } = setup();
  feed.attach();
  const ids: string[] = [];
  for (const gap of [0.5, 0.001]) {
    const run = store.start(REQUEST, OPTIONS);
    for (const e of syntheticEvents(60, 3)) run.live!.apply(e);
    run.live!.apply(runEnd(60));
    clock.advance(100);
    const report = run.report();
    await store.finish(run.id, { ...report, gradientCalls: report.gradientCalls.map((c) => ({ ...c, lossBefore: c.lossBefore == null || c.lossDuring == null ? null : c.lossDuring - gap })) });
    ids.push(run.id);
  }
  store.show(ids[0]);
  const shown = posted.at(-1)!.message;
  assert.equal(shown.type, 'report');
  assert.equal(shown.type === 'report' && shown.run?.id, ids[0]);

  assert.ok(feed.compare(ids[0], ids[1]));
  const c = posted.at(-1)!.message;
  assert.equal(c.type, 'compare');
  if (c.type !== 'compare' || !c.comparison) throw new Error('no comparison');
  assert.equal(c.comparison.before.run.id, ids[0]);
  assert.equal(c.comparison.after.run.id, ids[1]);
  assert.equal(c.comparison.before.series.x.length, 50 + 1, 'calls 1–50 and 60 probed');
  assert.ok(JSON.stringify(c).length < 50_000, 'losses and findings, not the reports');
  feed.closeCompare();
  assert.deepEqual(posted.at(-1)!.message, { type: 'compare', comparison: null });
  assert.equal(feed.compare(ids[0], 'run-nope-1'), false);
  feed.dispose();
});
