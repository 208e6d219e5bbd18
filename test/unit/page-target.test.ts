// What `tfjs-debug page` opens for what the user gives: a URL as it is; a file as its file:// URL, with a query
// or fragment after the file name passed on to the page (page.html?backend=cpu).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PageTargetError, resolvePageTarget } from '../../src/host/browser/launchPage.ts';

const PAGE = path.resolve(__dirname, '..', '..', 'examples', 'browser', 'script-tag', 'index.html');

test('a file with a query or a fragment opens the file with them; the root is the file\'s folder', () => {
  const url = pathToFileURL(PAGE).href;
  assert.deepEqual(resolvePageTarget(`${PAGE}?backend=cpu`), { url: `${url}?backend=cpu`, root: path.dirname(PAGE) });
  assert.equal(resolvePageTarget(`${PAGE}#results`).url, `${url}#results`);
  assert.equal(resolvePageTarget(PAGE).url, url);
  assert.equal(resolvePageTarget('http://127.0.0.1:5173/?worker').url, 'http://127.0.0.1:5173/?worker');
});

test('a missing file is named as given, with or without a query', () => {
  assert.throws(() => resolvePageTarget('no-such-page.html?backend=cpu'), (e: Error) => e instanceof PageTargetError && /^no-such-page\.html\?backend=cpu: no such page/.test(e.message));
  assert.throws(() => resolvePageTarget(`${path.dirname(PAGE)}?x`), /no such page/);
});
