// RunStore: events from the real runner fold into the same report launchRunner returns; runs are bounded; every
// finished run survives a reload (index in the storage interface, reports in a FileArchive); runs are opened,
// renamed, deleted; each script's editor surfaces follow the run selected for it; a run's phase is announced at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunReport } from '../../src/protocol/report.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import { launchRunner } from '../../src/host/launch.ts';
import { fitForStorage, LAST_RUN_KEY, RUNS_KEY, RunStore, type RunRequest, type StateStorage, type StoreChange } from '../../src/extension/logic/runStore.ts';
import { FileArchive } from '../../src/extension/logic/runArchive.ts';
import { runDetail, runName, runTime, runTitle } from '../../src/extension/logic/runLabels.ts';
import { launchOptionsFor, readSettings } from '../../src/extension/logic/settings.ts';
import { exampleReport, ROOT } from '../helpers/cli.ts';

const EXAMPLE = path.join(ROOT, 'examples', 'batchnorm-mismatch.js');
const REQUEST: RunRequest = { kind: 'script', target: EXAMPLE, args: [], cwd: ROOT };

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'tfjs-runs-'));
}

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
  const dir = tempDir();
  const store = new RunStore(storage, { archive: new FileArchive(dir) });
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
  assert.ok(changes.includes('progress'), `progress announced while the run went: ${changes.join(',')}`);
  assert.ok(!changes.includes('status'), 'no host-side ending: no status change before the end');
  // The live snapshot agrees with the final report on what matters.
  assert.equal(report.findings[0]?.rule, 'loss-gap');
  assert.ok(storage.data.has(RUNS_KEY));
  assert.deepEqual(readdirSync(dir), [`${run.id}.json`]);
  rmSync(dir, { recursive: true, force: true });
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

test('history: every finished run comes back after a reload, with its id, name and outcome; reports are read when asked', async () => {
  const report = exampleReport();
  const storage = new MemoryStorage();
  const dir = tempDir();
  let t = Date.parse('2026-11-30T12:41:00');
  const store = new RunStore(storage, { archive: new FileArchive(dir), now: () => t });
  const ids: string[] = [];
  for (const status of ['completed', 'cancelled', 'completed'] as const) {
    const run = store.start({ ...REQUEST, args: [status] });
    ids.push(run.id);
    t += 60_000;
    await store.finish(run.id, { ...report, status, args: [status] });
  }
  assert.ok(await store.rename(ids[0], '  before the fix\n'));
  await store.flushed();

  const reloaded = new RunStore(storage, { archive: new FileArchive(dir), now: () => t });
  assert.deepEqual(reloaded.runs().map((r) => r.id), [...ids].reverse(), 'every run, newest first');
  const [newest, stopped, first] = reloaded.runs();
  assert.equal(first.name, 'before the fix');
  assert.equal(runName(first), 'before the fix');
  assert.equal(runName(newest), 'batchnorm-mismatch.js');
  assert.equal(stopped.phase, 'cancelled');
  assert.equal(stopped.findingCount, report.findings.length, 'the index knows the outcome without reading the report');
  assert.equal(stopped.loaded, false);
  assert.equal(runTitle(stopped, t), `batchnorm-mismatch.js · 12:42 · stopped · 1 gradient call · ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`);
  assert.equal(reloaded.shown, newest, 'the newest is shown');
  // Opening an older run shows it, with its own report.
  const changes: StoreChange[] = [];
  reloaded.onDidChange((c) => changes.push(c));
  assert.equal(reloaded.show(first.id), first);
  assert.equal(reloaded.shown, first);
  assert.deepEqual(first.report().args, ['completed']);
  assert.deepEqual(changes.map((c) => c.type), ['shown']);
  await reloaded.flushed();
  assert.equal(new RunStore(storage, { archive: new FileArchive(dir) }).shown?.id, first.id, 'the run opened is shown again after a reload');

  // Deleting removes the run and its file; the panel falls back to the newest.
  assert.ok(await reloaded.remove(first.id));
  await reloaded.flushed();
  assert.equal(reloaded.shown, newest);
  assert.ok(changes.some((c) => c.type === 'shown' && c.run === newest));
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.json')).length, 2);
  assert.deepEqual(new RunStore(storage, { archive: new FileArchive(dir) }).runs().map((r) => r.id), [ids[2], ids[1]]);

  // A report file gone missing: the run still opens, and says why it has nothing to show.
  rmSync(path.join(dir, `${ids[1]}.json`));
  const broken = new RunStore(storage, { archive: new FileArchive(dir) }).get(ids[1]);
  assert.match(broken?.report().error?.message ?? '', /could not be read/);

  await reloaded.clear();
  assert.deepEqual(reloaded.runs(), []);
  await reloaded.flushed();
  assert.deepEqual(new RunStore(storage, { archive: new FileArchive(dir) }).runs(), []);
  rmSync(dir, { recursive: true, force: true });
});

test('history: bounded by maxRuns (the oldest finished go), and the setting can shrink it', async () => {
  const report = exampleReport();
  const storage = new MemoryStorage();
  const dir = tempDir();
  const store = new RunStore(storage, { archive: new FileArchive(dir), maxRuns: 4 });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const run = store.start({ ...REQUEST, args: [String(i)] });
    ids.push(run.id);
    await store.finish(run.id, report);
  }
  await store.flushed();
  assert.deepEqual(store.runs().map((r) => r.id), ids.slice(2).reverse());
  await store.setMaxRuns(2);
  await store.flushed();
  assert.deepEqual(store.runs().map((r) => r.id), ids.slice(4).reverse());
  // Removed files go in the background.
  for (let i = 0; i < 50 && readdirSync(dir).length > 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(readdirSync(dir).sort(), ids.slice(4).map((id) => `${id}.json`).sort());
  rmSync(dir, { recursive: true, force: true });
});

test('history: the previous version\'s one stored run moves into the history', async () => {
  const report = exampleReport();
  const storage = new MemoryStorage();
  const dir = tempDir();
  storage.data.set(LAST_RUN_KEY, { version: 1, id: 'run-old-1', request: REQUEST, report });
  const store = new RunStore(storage, { archive: new FileArchive(dir) });
  assert.equal(store.shown?.id, 'run-old-1');
  assert.equal(store.shown?.restored, true);
  await store.flushed();
  for (let i = 0; i < 50 && storage.data.has(LAST_RUN_KEY); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(storage.data.has(LAST_RUN_KEY), false);
  assert.deepEqual(new RunStore(storage, { archive: new FileArchive(dir) }).runs().map((r) => r.id), ['run-old-1']);
  rmSync(dir, { recursive: true, force: true });
});

test('history: stored data that is not a valid run list, or a report file that is not a report, is ignored', async () => {
  const report = exampleReport();
  const dir = tempDir();
  const good = { id: 'run-a-1', request: REQUEST, startedAt: 1, status: 'completed', gradientCallCount: 1, findings: 1, worst: 'warning', durationMs: 5, chars: 10 };
  for (const bad of [
    42, 'x', null, { version: 1, runs: [good] }, { version: 2, runs: 'x' },
    { version: 2, runs: [{ ...good, id: '../../etc/passwd' }] },
    { version: 2, runs: [{ ...good, request: { ...REQUEST, kind: 'shell' } }] },
    { version: 2, runs: [{ ...good, status: 'running' }] },
    { version: 2, runs: [{ ...good, request: { ...REQUEST, args: [1] } }] },
  ]) {
    const storage = new MemoryStorage();
    storage.data.set(RUNS_KEY, bad);
    assert.equal(new RunStore(storage, { archive: new FileArchive(dir) }).shown, undefined, JSON.stringify(bad).slice(0, 80));
  }
  writeFileSync(path.join(dir, 'run-a-1.json'), JSON.stringify({ ...report, schemaVersion: 99 }));
  const storage = new MemoryStorage();
  storage.data.set(RUNS_KEY, { version: 2, runs: [good] });
  assert.match(new RunStore(storage, { archive: new FileArchive(dir) }).shown?.report().error?.message ?? '', /could not be read/);
  assert.equal(new FileArchive(dir).load('../x'), null);
  await assert.rejects(new FileArchive(dir).save('../x', report), /not a run id/);
  rmSync(dir, { recursive: true, force: true });
});

test('editor surfaces follow the run selected for each script; the panel shows the one opened', async () => {
  const report = exampleReport();
  const other = path.join(ROOT, 'examples', 'other.js');
  const store = new RunStore(null);
  const a1 = store.start(REQUEST);
  await store.finish(a1.id, report);
  const b = store.start({ ...REQUEST, target: other });
  await store.finish(b.id, { ...report, target: other, layers: [] });
  const a2 = store.start(REQUEST);
  await store.finish(a2.id, report);
  // Each script: its newest run, until another is opened for it.
  assert.deepEqual(store.selectedRuns().map((r) => r.id), [a2.id, b.id]);
  assert.equal(store.runForFile(EXAMPLE), a2);
  assert.equal(store.runForFile(other), b, 'another script\'s run does not take the example\'s place');
  store.show(a1.id);
  assert.equal(store.shown, a1);
  assert.equal(store.runForFile(EXAMPLE), a1, 'opening an older run moves its script\'s Problems and CodeLens to it');
  assert.equal(store.runForFile(other), b);
  // A new run of the example is shown and selected.
  const a3 = store.start(REQUEST);
  assert.equal(store.shown, a3);
  assert.equal(store.runForFile(EXAMPLE), a3);
});

test('phase: Stop shows "stopping" at once on every listener, then the final state when the runner ends', async () => {
  const store = new RunStore(null);
  const seen: string[] = [];
  store.onDidChange((c) => {
    if ('run' in c && c.run) seen.push(`${c.type}:${c.run.phase}`);
  });
  const run = store.start(REQUEST);
  assert.equal(run.phase, 'running');
  assert.equal(runDetail(run, run.startedAt).split(' · ')[1], 'running');
  run.live?.end('cancelled', { message: 'The run was stopped.', file: null, line: null }, null);
  assert.equal(run.phase, 'stopping');
  assert.deepEqual(seen, ['run-start:running', 'status:stopping'], 'announced synchronously, not on the progress beat');
  assert.match(runTitle(run), /stopping…/);
  await store.finish(run.id, { ...exampleReport(), status: 'cancelled' });
  assert.deepEqual(seen.at(-1), 'run-end:cancelled');
  assert.match(runTitle(run), /· stopped ·/);
  assert.match(runTime(Date.parse('2025-01-02T03:04:00'), Date.parse('2026-11-30T12:00:00')), /^Jan 2 2025 03:04$/);
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
