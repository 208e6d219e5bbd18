// The host folds a run's events once (LiveReport); a view that holds the report at some version and applies what
// changed since (applyReportUpdate) has the same report as the host, through history thinning and dropping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveReport } from '../../src/host/liveReport.ts';
import { applyReportUpdate, rangeIndexes } from '../../src/model/reportUpdate.ts';
import type { GradientCallRecord, LayerInfo, RunReport } from '../../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';

const LAYERS: LayerInfo[] = Array.from({ length: 300 }, (_, i) => ({
  id: i + 1, name: `dense_${i + 1}`, className: 'Dense', trainable: true, source: { file: '/t.js', line: i + 1, column: 1 },
  parents: [], isContainer: false, outsideCalls: { training: 0, inference: 0 },
}));

function call(index: number): GradientCallRecord {
  return {
    index, api: 'fit', source: null, lossBefore: 1, lossDuring: 1.5, lossAfter: 1, lossAfterStep: null, probed: true, probeError: null,
    layers: LAYERS.map((l) => ({ layer: l.id, mode: 'training', calls: 1, trainable: true, output: null, nonFinite: index === 3 && l.id === 7 ? 2 : 0, batchNorm: null, gradNorm: 1 })),
    weights: [], attribution: null, unexplained: null, numTensors: 10, durationMs: 1,
  };
}

function check(index: number): RunnerEvent {
  return { type: 'backend-check', index, check: { against: 'cpu', tolerance: 1e-3, layers: 3, worst: { layer: 2, error: index }, firstDivergent: null, firstNonFinite: null } };
}

function events(calls: number): RunnerEvent[] {
  return [
    { type: 'run-start', target: '/t.js', args: [], cwd: '/', tfjs: { version: '4.22.0', backend: 'cpu', source: 'bundled', path: '/tfjs' }, options: { ...DEFAULT_RUN_OPTIONS, historySize: 100 }, pid: 1, startedAt: '2026-01-01T00:00:00.000Z' },
    { type: 'layers', layers: LAYERS.slice(0, 150) },
    ...Array.from({ length: calls }, (_, i): RunnerEvent[] => [
      { type: 'gradient-call', call: call(i + 1) },
      ...(i === 10 ? [{ type: 'layers', layers: LAYERS.slice(150) } as RunnerEvent, { type: 'log', level: 'warn', message: 'late layers' } as RunnerEvent] : []),
      ...(i === 30 ? [{ type: 'leak-sites', sites: [{ source: null, alive: 3, created: 4 }] } as RunnerEvent] : []),
      // Cross-backend checks that ran after their calls: one a few calls later, one right after its record.
      ...(i === 7 ? [check(5)] : []),
      ...(i === 19 ? [check(20)] : []),
    ]).flat(),
    { type: 'run-end', status: 'completed', exitCode: 0, error: null, memory: { tensorsAtStart: 0, tensorsAtEnd: 5 }, gradientCallCount: calls, backend: 'cpu' },
  ];
}

test('updates since any version bring a view to the host\'s report, through thinning and dropping', () => {
  const live = new LiveReport('/t.js', [], { ...DEFAULT_RUN_OPTIONS, historySize: 100 }, () => 0);
  let view: RunReport | null = null;
  let version = 0;
  let updates = 0;
  for (const [i, e] of events(160).entries()) {
    live.apply(e);
    if (i % 11 !== 0) continue; // a view that hears now and then
    const update = live.changesSince(version);
    assert.equal(update.from, version);
    view = applyReportUpdate(view, update);
    version = update.to;
    updates++;
    assert.deepEqual(view, live.snapshot(), `after event ${i}`);
  }
  view = applyReportUpdate(view, live.changesSince(version));
  const final = live.snapshot();
  assert.deepEqual(view, final);
  assert.ok(updates > 10);
  assert.ok(final.gradientCallsDropped > 0, 'the history dropped calls');
  assert.ok(final.gradientCalls.some((c) => c.thinned), 'the detail budget thinned calls');
  assert.equal(final.logs.length, 1);
  assert.deepEqual(final.gradientCalls.filter((c) => c.backendCheck).map((c) => [c.index, c.backendCheck?.worst?.error]), [[5, 5], [20, 20]],
    'each check joined its call');
});

test('an update carries what changed, not the whole report; the snapshot is diagnosed once per version', () => {
  const live = new LiveReport('/t.js', [], { ...DEFAULT_RUN_OPTIONS, historySize: 100 }, () => 0);
  const all = events(40);
  for (const e of all.slice(0, -2)) live.apply(e);
  const version = live.version;
  const snapshot = live.snapshot();
  assert.equal(live.snapshot(), snapshot, 'the same snapshot until the next change');
  live.apply(all[all.length - 2]);
  const update = live.changesSince(version);
  assert.deepEqual(update.calls.map((c) => c.index), [40], 'only the new call');
  assert.equal(update.layers.length, 0);
  assert.equal(rangeIndexes(update.callRanges).length, live.snapshot().gradientCalls.length);
  assert.notEqual(live.snapshot(), snapshot);
});
