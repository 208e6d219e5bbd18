// Records go out in call order however late each is ready (src/engine/taps/inOrder.ts): a value ready at once goes
// out at once when nothing waits before it, a later one waits for the ones before it, and settled() says when
// everything taken has gone out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InOrder } from '../../src/engine/taps/inOrder.ts';

test('values go out in the order their places were taken', async () => {
  const sent: number[] = [];
  const order = new InOrder<number>((v) => sent.push(v));
  order.take()(1);
  assert.deepEqual(sent, [1], 'nothing waits: out at once');
  let resolveTwo: (v: number) => void = () => undefined;
  order.take()(new Promise<number>((r) => { resolveTwo = r; }));
  const fillThree = order.take();
  const fillFour = order.take();
  fillFour(4);
  fillThree(3);
  assert.deepEqual(sent, [1], 'three and four wait for two');
  let settled = false;
  const done = order.settled().then(() => { settled = true; });
  await Promise.resolve();
  assert.equal(settled, false);
  resolveTwo(2);
  await done;
  assert.deepEqual(sent, [1, 2, 3, 4]);
  await order.settled();
});

test('settled() waits for the places taken before it, not for those taken after', async () => {
  const sent: string[] = [];
  const order = new InOrder<string>((v) => sent.push(v));
  let resolveFirst: (v: string) => void = () => undefined;
  order.take()(new Promise<string>((r) => { resolveFirst = r; }));
  const firstOut = order.settled();
  const fillSecond = order.take();
  resolveFirst('first');
  await firstOut;
  assert.deepEqual(sent, ['first'], 'out while the second place still waits');
  fillSecond('second');
  await order.settled();
  assert.deepEqual(sent, ['first', 'second']);
});
