// The Get Started walkthrough's pages hold the numbers of a real run of the example (bundled tfjs, as a user who
// clicks Open Example gets), and its fix: scripts/walkthrough.ts writes them; this checks they are current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { walkthroughPages } from '../../scripts/walkthrough.ts';
import { ROOT } from '../helpers/cli.ts';

test('the walkthrough pages are what a run of the example gives now', () => {
  const pages = walkthroughPages();
  for (const [name, text] of Object.entries(pages)) {
    assert.equal(readFileSync(path.join(ROOT, 'media', 'walkthrough', name), 'utf8'), text, `${name}: run node --import tsx scripts/walkthrough.ts`);
  }
  assert.match(pages['open-example.md'], /initial loss: \d+\.\d+\nloss calculated in gradient: \d+\.\d+\nfinal loss: \d+\.\d+/);
  assert.match(pages['read-finding.md'], /the loss gap is closed/);
});
