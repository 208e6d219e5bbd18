// The probe schedule: the interval (every call up to probeAllFirst, every probeEvery-th after) and the budget
// (probes take at most their share of the training time, from the first call on). A clock the test moves
// stands in for time, so each case is exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALIBRATION_PROBES, ProbeSchedule } from '../../src/engine/probes/probeSchedule.ts';

type Options = ConstructorParameters<typeof ProbeSchedule>[0];

/** Runs `calls` gradient calls of stepMs each, a probed call also costing probeMs(i); returns the probed
 *  indices and the share of the training time the charged probes took. */
function simulate(options: Options, calls: number, stepMs: number, probeMs: number | ((i: number) => number)) {
  let t = 0;
  const schedule = new ProbeSchedule(options, () => t);
  const probed: number[] = [];
  for (let i = 1; i <= calls; i++) {
    const probe = schedule.next(i);
    t += stepMs;
    if (probe) {
      probed.push(i);
      const cost = typeof probeMs === 'number' ? probeMs : probeMs(i);
      schedule.spent(cost);
      t += cost;
    }
  }
  schedule.next(calls + 1);
  return { probed, share: schedule.probeShare };
}

test('without a budget: every call up to probeAllFirst, then every probeEvery-th; probeEvery 0 never', () => {
  const { probed } = simulate({ probeAllFirst: 5, probeEvery: 10, probeBudget: 0 }, 100, 1, 5);
  assert.deepEqual(probed, [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(simulate({ probeAllFirst: 50, probeEvery: 0 }, 50, 1, 1).probed, []);
});

test('the budget governs from the first call: probes as costly as a step are spaced to 3% of the time', () => {
  // A short script of 400 steps of 5 ms whose probes cost 5 ms: probing the first 50 calls would double them.
  const { probed, share } = simulate({ probeAllFirst: 50, probeEvery: 10 }, 400, 5, 5);
  assert.deepEqual(probed.slice(0, CALIBRATION_PROBES), [1], 'the first call measures the cost');
  assert.ok(share <= 0.03, `probes took ${(share * 100).toFixed(2)}% of the training time`);
  assert.ok(share >= 0.02, `the budget is used: ${(share * 100).toFixed(2)}%`);
  const gaps = probed.slice(CALIBRATION_PROBES + 1).map((p, i) => p - probed[CALIBRATION_PROBES + i]);
  assert.ok(gaps.every((g) => g >= 30), `after calibration about every 34th call: ${gaps.join(', ')}`);
});

test('cheap probes on an expensive step keep the whole interval', () => {
  const { probed } = simulate({ probeAllFirst: 50, probeEvery: 10 }, 200, 500, 5);
  assert.deepEqual(probed, [...Array.from({ length: 50 }, (_, i) => i + 1), 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
});

test('a slow probe (warm-up, a busy moment) stops the probes only until the budget has paid for it', () => {
  // Steps of 100 ms, probes of 2 ms (2% of a step), but the first probe pays 300 ms of warm-up and call 250's
  // meets a busy moment of 900 ms. Until a second probe is measured the next one is expected to cost 300 ms
  // too, so probing resumes once 600 ms fit in 3%: after 200 steps. After the busy probe, once the 1.3 s of
  // probes so far fit in 3%: at about call 435.
  const { probed, share } = simulate({ probeAllFirst: 1000, probeEvery: 1 }, 500, 100, (i) => (i === 1 ? 300 : i === 250 ? 900 : 2));
  assert.equal(probed[0], 1);
  assert.ok(probed[1] > 190 && probed[1] <= 210, `probes resume at ${probed[1]}`);
  assert.ok(probed.includes(250), 'and then every call is probed, as the budget allows');
  const after = probed.filter((p) => p > 250);
  assert.ok(after[0] > 420 && after[0] <= 450, `and resume at ${after[0]} after the busy one`);
  assert.ok(share <= 0.03, `${(share * 100).toFixed(2)}%`);
});

test('what recording a probed call adds to it counts as probing: probed calls 4 ms slower are spaced out more', () => {
  // Steps of 10 ms; a probe's replay costs 1 ms, but recording its forward pass makes the probed call 14 ms.
  const run = (charged: boolean) => {
    let t = 0;
    const schedule = new ProbeSchedule({ probeAllFirst: 1000, probeEvery: 1 }, () => t);
    const probed: number[] = [];
    for (let i = 1; i <= 2000; i++) {
      const probe = schedule.next(i);
      const callMs = probe ? 14 : 10;
      t += callMs;
      if (charged) schedule.callTook(callMs, probe);
      if (probe) {
        probed.push(i);
        schedule.spent(1);
        t += 1;
      }
    }
    return probed.length;
  };
  const withRecording = run(true);
  const without = run(false);
  // 3% of 20 s is 600 ms: 300 probes at 1 ms plus an uncharged 4 ms each (1.5 s, 7.5%) against 120 at 5 ms (3%).
  assert.ok(without > 250, `replays alone: ${without} probes`);
  assert.ok(withRecording >= 100 && withRecording <= 130, `replays and recording: ${withRecording} probes`);
});
