// The user's frame of a call (src/engine/callSites.ts), found however deep the internal frames above it are: a few
// (a shallow capture), more than the shallow capture holds (the deep one), and more than the deep one holds (none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { captureUserFrame } from '../../src/engine/callSites.ts';
import { fromUserCode } from '../fixtures/call-sites/user.ts';

const USER = path.resolve(__dirname, '..', 'fixtures', 'call-sites', 'user.ts');
const USER_LINE = readFileSync(USER, 'utf8').split('\n').findIndex((l) => l.includes("the user's line")) + 1;
const isInternal = (file: string) => path.resolve(file.replace(/^file:\/\//, '')) !== USER;

/** captureUserFrame called `depth` internal frames below the user's code. */
function below(depth: number): ReturnType<typeof captureUserFrame> {
  const down = (n: number): ReturnType<typeof captureUserFrame> => (n <= 0 ? captureUserFrame(isInternal) : down(n - 1));
  return fromUserCode(() => down(depth));
}

test('the user\'s frame, a few frames up and further up than the shallow capture', () => {
  for (const depth of [1, 8, 25]) {
    for (let again = 0; again < 2; again++) {
      const site = below(depth);
      assert.equal(site?.file, USER, `at depth ${depth}${again ? ', asked again' : ''}`);
      assert.equal(site?.line, USER_LINE);
    }
  }
  assert.equal(Error.stackTraceLimit, 10, 'the limit is left as it was');
});

test('no user frame within the deep capture: none', () => {
  assert.equal(below(60), null);
});
