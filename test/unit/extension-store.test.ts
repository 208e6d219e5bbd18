// RunStore: events from the real runner fold into the same report launchRunner returns; runs are bounded;
// the last finished run survives a reload through the storage interface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunReport } from '../../src/protocol/report.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import { launchRunner } from '../../src/host/launch.ts';
import { fitForStorage, LAST_RUN_KEY, RunStore, type RunRequest, type StateStorage, type StoreChange } from '../../src/extension/logic/runStore.ts';
import { launchOptionsFor, readSettings } from '../../src/extension/logic/settings.ts';
import { exampleReport, ROOT } from '../helpers/cli.ts';

const EXAMPLE = path.join(ROOT, 'examples', 'batchnorm-mismatch.js');
const REQUEST: RunRequest = { kind: 'script', target: EXAMPLE, args: [], cwd: ROOT };

class MemoryStorage implements StateStorage {
  readonly data = new Map<string, unknown>();
  writes = 0;
  get(key: string): unknown {
    // Like workspaceState: values go through JSON.
    const v = this.data.get(key);
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes++;
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}


test('live events from the real runner: the snapshot grows as events come, and ends as launchRunner\'s report', async () => {
  const storage = new MemoryStorage();
  const store = new RunStore(storage);
  const changes: StoreChange['type'][] = [];
  store.onDidChange((c) => changes.push(c.type));
  // The options the extension passes (VS Code's execPath is Electron there; here it is node).
  const opts = launchOptionsFor(REQUEST, readSettings(() => undefined), { execPath: process.execPath, env: process.env, distDir: path.join(ROOT, 'dist') });
  const run = store.start(REQUEST, { probeAllFirst: 50, probeEvery: 10, historySize: 1000, lossGapTolerance: 1e-4, attribution: 'auto' });
  assert.equal(store.current, run);
  assert.equal(run.report().status, 'running');
  const snapshots: { type: RunnerEvent['type']; layers: number; calls: number }[] = [];
  let output = '';
  const handle = launchRunner({
    ...opts,
    onOutput: (chunk) => { output += chunk; },
    onEvent: (e) => {
      store.apply(run.id, [e]);
      const r = run.report();
      snapshots.push({ type: e.type, layers: r.layers.length, calls: r.gradientCalls.length });
    },
  });
  const { report } = await handle.done;
  assert.match(output, /loss calculated in gradient/, 'the script\'s own output is piped to the host');
  const afterCall = snapshots.find((s) => s.type === 'gradient-call');
  assert.ok(afterCall && afterCall.calls === 1 && afterCall.layers >= 2, JSON.stringify(snapshots));
  assert.equal(run.report().status, 'completed', 'run-end event already folded in');
  assert.equal(run.gradientCallCount, 1);
  await store.finish(run.id, report);
  assert.equal(store.current, undefined);
  assert.equal(store.shown, run);
  assert.deepEqual(run.report(), report);
  assert.equal(changes[0], 'run-start');
  assert.equal(changes.at(-1), 'run-end');
  assert.ok(changes.filter((c) => c === 'events').length >= 3);
  // The live snapshot agrees with the final report on what matters.
  assert.equal(report.findings[0]?.rule, 'loss-gap');
  assert.ok(storage.data.has(LAST_RUN_KEY));
});

test('one run at a time; runs are bounded, newest first; events for ended runs are ignored', async () => {
  const report = exampleReport();
  const store = new RunStore(null, { maxRuns: 3 });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = store.start({ ...REQUEST, args: [String(i)] });
    assert.throws(() => store.start(REQUEST), /already in progress/);
    ids.push(run.id);
    await store.finish(run.id, report);
    store.apply(run.id, [{ type: 'log', level: 'info', message: 'late' }]);
  }
  assert.deepEqual(store.runs().map((r) => r.id), ids.slice(2).reverse());
  assert.deepEqual(store.runs().map((r) => r.request.args[0]), ['4', '3', '2']);
  assert.equal(new Set(ids).size, 5, 'ids are unique');
  assert.equal(store.get(ids[0]), undefined);
});

test('persistence: the last finished run comes back after a reload, with its id; clear forgets it', async () => {
  const report = exampleReport();
  const storage = new MemoryStorage();
  const store = new RunStore(storage);
  const run = store.start(REQUEST);
  await store.finish(run.id, report);

  const reloaded = new RunStore(storage);
  const restored = reloaded.shown;
  assert.ok(restored);
  assert.equal(restored.id, run.id);
  assert.equal(restored.restored, true);
  assert.equal(restored.running, false);
  assert.equal(reloaded.current, undefined);
  assert.deepEqual(restored.request, REQUEST);
  assert.deepEqual(restored.report(), report);

  // A new run after the reload is shown first; the restored one stays in the list.
  const next = reloaded.start(REQUEST);
  assert.equal(reloaded.shown, next);
  assert.equal(reloaded.runs()[1], restored);
  await reloaded.clear();
  assert.deepEqual(reloaded.runs(), [next], 'the run in progress stays');
  assert.equal(storage.data.has(LAST_RUN_KEY), false);
  assert.equal(new RunStore(storage).shown, undefined);
});

test('persistence: stored data that is not a valid run is ignored', () => {
  const report = exampleReport();
  for (const bad of [
    42, 'x', null, { version: 2 }, { version: 1, id: 'a', request: REQUEST },
    { version: 1, id: 'a', request: { ...REQUEST, kind: 'shell' }, report },
    { version: 1, id: 'a', request: REQUEST, report: { ...report, schemaVersion: 99 } },
    { version: 1, id: 'a', request: REQUEST, report: { ...report, status: 'running' } },
    { version: 1, id: 'a', request: { ...REQUEST, args: [1] }, report },
  ]) {
    const storage = new MemoryStorage();
    storage.data.set(LAST_RUN_KEY, bad);
    assert.equal(new RunStore(storage).shown, undefined, JSON.stringify(bad).slice(0, 80));
  }
});

test('persistence: a report too big for storage keeps its most recent gradient calls and counts the rest as dropped', () => {
  const report = exampleReport();
  const call = report.gradientCalls[0];
  const big: RunReport = { ...report, gradientCalls: Array.from({ length: 400 }, (_, i) => ({ ...call, index: i + 1 })), gradientCallCount: 400 };
  const limit = Math.floor(JSON.stringify(big).length / 5);
  const fitted = fitForStorage(big, limit);
  assert.ok(JSON.stringify(fitted).length <= limit);
  assert.ok(fitted.gradientCalls.length > 0 && fitted.gradientCalls.length < 400);
  assert.equal(fitted.gradientCalls.at(-1)?.index, 400, 'the most recent call is kept');
  assert.equal(fitted.gradientCallsDropped, 400 - fitted.gradientCalls.length);
  assert.equal(fitForStorage(report, 10_000_000), report, 'small reports are stored as they are');
});
