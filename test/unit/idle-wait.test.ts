// When a page's run ends for idleness (src/host/browser/idleWait.ts): silence, and a thread that answers. The
// page's thread is played by a promise that answers at once, later (busy in its own code), or never.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleWait } from '../../src/host/browser/idleWait.ts';

const IDLE_MS = 10;
const ANSWER_MS = 10;

/** A page whose thread answers the n-th question after answers[n] ms (the last entry for every later one). */
function page(answers: number[]) {
  const seen: string[] = [];
  let asked = 0;
  let resolveIdle: () => void = () => undefined;
  const idled = new Promise<void>((r) => { resolveIdle = r; });
  const wait = new IdleWait(IDLE_MS, {
    ask: () => {
      const after = answers[Math.min(asked++, answers.length - 1)];
      seen.push(`asked ${asked}`);
      return new Promise((r) => setTimeout(r, after));
    },
    idle: () => { seen.push('idle'); resolveIdle(); },
    busy: () => seen.push('busy'),
  }, ANSWER_MS);
  return { seen, wait, idled };
}

test('a silent page whose thread answers is idle: the run ends at the first deadline', async () => {
  const { seen, wait, idled } = page([0]);
  wait.restart();
  await idled;
  assert.deepEqual(seen, ['asked 1', 'idle']);
});

test('a silent page busy in its own code is waited for; once it yields, the idle time starts again', async () => {
  const { seen, wait, idled } = page([20 * ANSWER_MS, 0]);
  wait.restart();
  await idled;
  assert.deepEqual(seen, ['asked 1', 'busy', 'asked 2', 'idle']);
});

test('a page busy at two deadlines in a row is said to be busy once', async () => {
  const { seen, wait, idled } = page([20 * ANSWER_MS, 20 * ANSWER_MS, 0]);
  wait.restart();
  await idled;
  assert.deepEqual(seen, ['asked 1', 'busy', 'asked 2', 'asked 3', 'idle']);
});

test('what the page sends during a check starts the wait again: that check ends nothing', async () => {
  const { seen, wait, idled } = page([ANSWER_MS / 2, 0]);
  wait.restart();
  await new Promise((r) => setTimeout(r, IDLE_MS + 1));
  // The first question is out; the page sends an event before it answers.
  wait.restart();
  await idled;
  assert.deepEqual(seen, ['asked 1', 'asked 2', 'idle']);
});

test('a stopped wait asks nothing and ends nothing', async () => {
  const { seen, wait } = page([0]);
  wait.restart();
  wait.stop();
  await new Promise((r) => setTimeout(r, 5 * IDLE_MS));
  assert.deepEqual(seen, []);
});
