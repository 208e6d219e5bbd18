// The probe schedule: every call up to probeAllFirst, every probeEvery-th after; an expensive probe is spaced
// further apart so that probes stay within their share of the training time. A clock the test moves stands in
// for time, so each case is exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSchedule, SPARE_FROM_MS } from '../../src/core/instrument/probeSchedule.ts';

/** Runs `calls` gradient calls of stepMs each, a probed call also costing probeMs; returns the probed indices. */
function simulate(options: ConstructorParameters<typeof ProbeSchedule>[0], calls: number, stepMs: number, probeMs: number): number[] {
  let t = 0;
  const schedule = new ProbeSchedule(options, () => t);
  const probed: number[] = [];
  for (let i = 1; i <= calls; i++) {
    const probe = schedule.next(i);
    t += stepMs;
    if (probe) {
      probed.push(i);
      schedule.spent(probeMs);
      t += probeMs;
    }
  }
  return probed;
}

test('cheap probes keep the fixed schedule: every call up to probeAllFirst, then every probeEvery-th', () => {
  const probed = simulate({ probeAllFirst: 5, probeEvery: 10 }, 100, 1, SPARE_FROM_MS - 1);
  assert.deepEqual(probed, [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(simulate({ probeAllFirst: 0, probeEvery: 0 }, 50, 1, 1), [], 'probeEvery 0: never');
});

test('an expensive probe waits until the probes stay within the budget of the training time', () => {
  // A 560 ms step whose probes cost 350 ms: at every 10th call they would take 6% of the time. After five
  // probed calls have been measured, every 30th (the first multiple of 10 at least 350 / (0.03 × 560) ≈ 21
  // calls on), which keeps them within 3%.
  const probed = simulate({ probeAllFirst: 0, probeEvery: 10 }, 400, 560, 350);
  assert.deepEqual(probed.slice(0, 5), [10, 20, 30, 40, 50], 'nothing is spaced out before five probed calls are measured');
  const gaps = probed.slice(5).map((p, i) => p - probed[4 + i]);
  assert.ok(gaps.length > 5 && gaps.every((g) => g === 30), `steady state every 30th: ${gaps.join(', ')}`);
  const steady = (350 / 30) / 560;
  assert.ok(steady <= 0.03, `probes take ${(steady * 100).toFixed(1)}% of the training time in steady state`);
  assert.deepEqual(simulate({ probeAllFirst: 0, probeEvery: 10, probeBudget: 0 }, 100, 560, 350), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 'budget 0: every 10th');
  assert.deepEqual(simulate({ probeAllFirst: 8, probeEvery: 10 }, 15, 560, 350), [1, 2, 3, 4, 5, 6, 7, 8], 'probeAllFirst is kept whatever it costs');
});

test('a slow first call (warm-up) or one busy moment does not space the probes out', () => {
  let t = 0;
  const schedule = new ProbeSchedule({ probeAllFirst: 5, probeEvery: 2 }, () => t);
  const probed: number[] = [];
  for (let i = 1; i <= 40; i++) {
    const probe = schedule.next(i);
    t += 5;
    if (probe) {
      probed.push(i);
      const cost = i === 1 || i === 20 ? 400 : 3; // the first probe compiles kernels; call 20 meets a busy moment
      schedule.spent(cost);
      t += cost;
    }
  }
  assert.deepEqual(probed, [1, 2, 3, 4, 5, ...Array.from({ length: 18 }, (_, k) => 6 + 2 * k)]);
});
