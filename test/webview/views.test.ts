// The panel's pure helpers, in Node: downsampling keeps every series' extremes, per-layer rows (modes,
// BatchNorm drift, attribution share), loss series that break where the history dropped calls, and the
// number formats the panel shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GradientCallRecord, LayerInfo, RunReport } from '../../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import { minMaxIndices } from '../../webview/downsample.ts';
import { loss, num as sig } from '../../src/model/format.ts';
import { droppedRange, gradNormHistory, layerRows, lossSeries, movingMeanHistory } from '../../webview/views.ts';

test('downsampling keeps the first, last, minimum and maximum of every series per bucket', () => {
  const n = 10_000;
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const a = x.map((i) => Math.sin(i / 100));
  const b = x.map((i) => (i === 4321 ? 50 : i === 8765 ? -50 : 0));
  const idx = minMaxIndices(x, [a, b], 100);
  assert.ok(idx.length <= 100 * 5 + 2 && idx.length >= 200, `${idx.length} points`);
  assert.deepEqual(idx, [...idx].sort((p, q) => p - q));
  for (const i of [0, n - 1, 4320, 8764]) assert.ok(idx.includes(i), `keeps index ${i}`);
  const kept = idx.map((i) => a[i]);
  assert.equal(Math.max(...kept), Math.max(...a));
  assert.equal(Math.min(...kept), Math.min(...a));
  assert.deepEqual(minMaxIndices([1, 2, 3], [[1, 2, 3]], 10), [0, 1, 2], 'short series are drawn whole');
});

test('formats: losses with 6 significant digits, other numbers with 4', () => {
  assert.equal(loss(31.908246994018555), '31.9082');
  assert.equal(loss(null), '—');
  assert.equal(loss(Number.NaN), 'NaN');
  assert.equal(sig(-2.3379413960356032e-8), '-2.338e-8');
  assert.equal(sig(0.9940433502197266), '0.994');
});

function layer(id: number, name: string, className: string, extra: Partial<LayerInfo> = {}): LayerInfo {
  return { id, name, className, trainable: true, source: null, parents: [], isContainer: false, outsideCalls: { training: 0, inference: 2 }, ...extra };
}

function call(index: number, extra: Partial<GradientCallRecord> = {}): GradientCallRecord {
  return {
    index, api: 'fit', source: null, lossBefore: 1, lossDuring: 1.1, lossAfter: 1.01, lossAfterStep: 0.9, probed: true, probeError: null,
    layers: [
      { layer: 1, mode: 'training', calls: 1, trainable: true, output: null, nonFinite: 0, gradNorm: 0.5, batchNorm: {
        movingMeanBefore: [0, 1], movingMeanAfter: [0.01 * index, 1], movingVarianceBefore: [1, 4], movingVarianceAfter: [1, 4],
        batchMean: [0.5, 0], batchVariance: [1, 4], momentum: 0.99, epsilon: 0,
      } },
      { layer: 2, mode: index % 2 ? 'training' : 'inference', calls: 1, trainable: true, output: null, nonFinite: index === 3 ? 2 : 0, gradNorm: null, batchNorm: null },
    ],
    weights: [], attribution: null, unexplained: null, numTensors: 0, durationMs: 1, ...extra,
  };
}

function report(calls: GradientCallRecord[], extra: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: 1, target: '/t.js', args: [], status: 'completed', error: null, tfjs: null, options: DEFAULT_RUN_OPTIONS,
    startedAt: null, durationMs: null, exitCode: 0,
    layers: [layer(1, 'bn', 'BatchNormalization', { parents: [3] }), layer(2, 'drop', 'Dropout'), layer(3, 'model', 'Sequential', { isContainer: true })],
    gradientCallCount: calls.at(-1)?.index ?? 0, gradientCallsDropped: 0, gradientCalls: calls, findings: [], memory: null, logs: [], ...extra,
  };
}

test('layer rows: modes across calls, drift in moving standard deviations, attribution share, containers left out', () => {
  const r = report([call(1), call(2, { attribution: [{ layer: 1, deltaLoss: 0.1, share: 0.75 }] }), call(3)]);
  const rows = layerRows(r);
  assert.deepEqual(rows.map((x) => x.name), ['bn', 'drop']);
  const [bn, drop] = rows;
  assert.equal(bn.modeInside, 'training');
  assert.equal(bn.modeOutside, 'inference');
  assert.equal(bn.callsOutside, 2);
  assert.deepEqual(bn.parents, ['model']);
  assert.equal(bn.drift, 0.5, 'max(|0.5 − 0| / √1, |0 − 1| / √4)');
  assert.equal(bn.share, 0.75);
  assert.equal(drop.modeInside, 'mixed');
  assert.equal(drop.share, null, 'no attribution entry for the layer');
  assert.equal(drop.nonFinite, 2);
  assert.equal(layerRows(report([call(1)]))[0].share, null, 'no attributed call');
});

test('loss series and histories break where the history dropped calls', () => {
  const kept = [...Array.from({ length: 50 }, (_, i) => i + 1), 960, 970, 980];
  const r = report(kept.map((i) => call(i)), { gradientCallsDropped: 900, options: { ...DEFAULT_RUN_OPTIONS, historySize: 100 } });
  const s = lossSeries(r);
  assert.equal(s.x.length, kept.length + 1);
  assert.equal(s.x[50], 505);
  assert.equal(s.during[50], null);
  assert.deepEqual(droppedRange(r), [51, 950], 'the first 50 are kept, then 900 dropped');
  const h = movingMeanHistory(r, 1, 8)!;
  assert.equal(h.x[0], 0, 'starts before the first call');
  assert.equal(h.movingMean.length, 2);
  assert.equal(h.movingMean[0][51], null);
  assert.equal(droppedRange(report([call(1), call(2)])), null);
});

test('the gradient-norm history joins the sampled points: no gap between probed calls, one where the history dropped calls', () => {
  // Calls 1–50 probed, then every 10th; the calls between record no gradient norm. The history dropped 51–959.
  const kept = [...Array.from({ length: 50 }, (_, i) => i + 1), ...Array.from({ length: 50 }, (_, i) => 951 + i)];
  const calls = kept.map((i) => {
    const c = call(i);
    if (i > 50 && i % 10 !== 0) return { ...c, probed: false, layers: c.layers.map((r) => ({ ...r, gradNorm: null })) };
    return c;
  });
  const r = report(calls, { gradientCallsDropped: 900, options: { ...DEFAULT_RUN_OPTIONS, historySize: 100 } });
  const g = gradNormHistory(r, 1);
  const sampled = kept.filter((i) => i <= 50 || i % 10 === 0);
  assert.deepEqual(g.x.filter((x) => Number.isInteger(x)), sampled, 'a point per sampled call, none for calls without a norm');
  const nulls = g.y.map((v, i) => (v == null ? g.x[i] : null)).filter((x) => x != null);
  assert.deepEqual(nulls, [(50 + 951) / 2], 'one break, where the history dropped calls');
  // Without dropped calls: no break at all, however sparse the samples.
  assert.ok(gradNormHistory(report(calls.slice(0, 60)), 1).y.every((v) => v != null));
});
