// The bounded history: a count of calls for long runs, and a detail budget for wide models, so a report
// stays small whatever the model; and per-layer totals that cover every call, dropped or thinned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { BoundedHistory } from '../../src/model/history.ts';
import { DETAIL_BUDGET } from '../../src/model/reportBuilder.ts';
import { runCli, SCRIPTS } from '../helpers/cli.ts';

interface Item { id: number; detail: number[]; thinned?: boolean }

test('detail budget: the oldest records are thinned first, the newest always stays in full, the ring still bounds the count', () => {
  const h = BoundedHistory.forSize<Item>(20, {
    weight: (i) => i.detail.length, thin: (i) => ({ ...i, detail: [], thinned: true }), budget: 100,
  });
  for (let id = 1; id <= 50; id++) h.push({ id, detail: Array(id === 50 ? 500 : 30).fill(id) });
  const items = h.items();
  assert.equal(items.length, 20);
  assert.equal(h.dropped, 30);
  assert.deepEqual(items.map((i) => i.id), [...Array(10).keys()].map((i) => i + 1).concat([...Array(10).keys()].map((i) => i + 41)));
  // The last one weighs 500 on its own: over the budget, but the newest record is never thinned.
  assert.deepEqual(items.filter((i) => !i.thinned).map((i) => i.id), [50]);
  h.push({ id: 51, detail: Array(30).fill(51) });
  const after = h.items();
  assert.deepEqual(after.filter((i) => !i.thinned).map((i) => i.id), [51], 'the heavy one is thinned once a newer one comes');
  h.push({ id: 52, detail: Array(30).fill(52) });
  h.push({ id: 53, detail: Array(30).fill(53) });
  assert.deepEqual(h.items().filter((i) => !i.thinned).map((i) => i.id), [51, 52, 53], '90 of 100 in full');
  assert.ok(h.items().every((i) => i.thinned ? i.detail.length === 0 : i.detail.length === 30));
});

test('a wide model through the CLI: a small report, the newest calls in full, totals over every call, NaN kept', () => {
  const { code, report } = runCli(['run', path.join(SCRIPTS, 'wide-model.js'), '--quiet', '--history', '200']);
  assert.equal(code, 0);
  assert.ok(report);
  const calls = report.gradientCalls;
  assert.equal(report.gradientCallCount, 250);
  assert.equal(calls.length, 200);
  assert.equal(report.gradientCallsDropped, 50);
  const full = calls.filter((c) => !c.thinned);
  const perCall = full[full.length - 1].layers.length + full[full.length - 1].weights.length;
  assert.equal(full[full.length - 1].layers.length, 120);
  assert.equal(full.length, Math.floor(DETAIL_BUDGET / perCall), `as many calls in full as the budget of ${DETAIL_BUDGET} records holds`);
  assert.deepEqual(full.map((c) => c.index), calls.slice(-full.length).map((c) => c.index), 'and they are the newest');
  assert.ok(calls.filter((c) => c.thinned).every((c) => c.layers.every((r) => r.nonFinite > 0) && c.weights.length === 0 && (c.lossDuring != null || c.index === 5)), "thinned calls keep their losses (call 5's is NaN, null in JSON)");
  const nanCall = calls.find((c) => c.index === 5);
  assert.ok(nanCall?.thinned && nanCall.layers.length === 1 && nanCall.layers[0].nonFinite > 0, 'the NaN call keeps the first layer that saw NaN');
  assert.ok(report.findings.some((f) => f.rule === 'nan-or-inf' && f.gradientCall === 5 && f.layer === nanCall.layers[0].layer));
  // Totals cover all 250 calls, including the 50 dropped and the thinned ones.
  assert.equal(report.layerTotals?.length, 120);
  assert.ok(report.layerTotals?.every((t) => t.training === 249 && t.inference === 1 && t.mixed === 0), JSON.stringify(report.layerTotals?.[0]));
  const size = JSON.stringify(report).length;
  assert.ok(size < 12 * 2 ** 20, `report ${(size / 2 ** 20).toFixed(1)} MB`);
});

test('the history holds no more than it keeps: records the ring let go of are not referenced any more', () => {
  const h = BoundedHistory.forSize<Item>(20, { weight: (i) => i.detail.length, thin: (i) => ({ ...i, detail: [], thinned: true }), budget: 1_000_000 });
  for (let id = 1; id <= 200; id++) h.push({ id, detail: [id] });
  const kept = new Set(h.items());
  // Its own fields (arrays and ring; a Set serialises to {}) must reach only the records it keeps.
  const reachable = JSON.stringify(h).match(/"id":\d+/g)?.length ?? 0;
  assert.equal(kept.size, 20);
  assert.ok(reachable <= 20, `the history's own fields reach ${reachable} records, it keeps 20`);
});
