// The extension's page runs without VS Code (src/extension/logic/pageRun.ts): a Vite app's folder is served by
// its own Vite in a process of its own (dist/vite-server.js: the app's vite.config never runs in the extension
// host), the page's events fold into the run's own report, its console reaches the run's output, and the dev
// server is gone when the run ends. A folder that is not a Vite app fails with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { LiveReport } from '../../src/host/liveReport.ts';
import { startPageRun } from '../../src/extension/logic/pageRun.ts';
import { DEFAULT_SETTINGS } from '../../src/extension/logic/settings.ts';
import type { RunRequest } from '../../src/extension/logic/runStore.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import { lineOf, ROOT } from '../helpers/cli.ts';

const BROWSER = process.env.TFJS_DEBUG_BROWSER ?? '/usr/bin/chromium';
const VITE_APP = path.join(ROOT, 'examples', 'browser', 'vite-app');
const settings = { ...DEFAULT_SETTINGS, pageBrowser: BROWSER, pageHeadless: true, pageIdleSeconds: 8 };
const host = { execPath: process.execPath, env: process.env, distDir: path.join(ROOT, 'dist') };

function run(request: RunRequest) {
  const live = new LiveReport(request.target, [], DEFAULT_RUN_OPTIONS);
  let output = '';
  const handle = startPageRun({ request, settings, host, options: {}, live, onOutput: (t) => { output += t; } });
  return { handle, live, output: () => output };
}

test('a Vite app\'s folder: its dev server in a process of its own, the page\'s calls in its source files, the server gone after', async () => {
  const { handle, output } = run({ kind: 'page', target: VITE_APP, args: [], cwd: VITE_APP, viteApp: VITE_APP });
  const { report } = await handle.done;
  assert.equal(report.status, 'completed', report.error?.message);
  assert.ok(report.gradientCallCount > 0);
  assert.equal(report.gradientCalls[0].source?.file, path.join(VITE_APP, 'src', 'model.js'));
  const bn = report.layers.find((l) => l.className === 'BatchNormalization');
  assert.equal(bn?.source?.line, lineOf(path.join(VITE_APP, 'src', 'model.js'), 'batchNormalization('));
  const url = /Vite dev server at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output())?.[1];
  assert.ok(url, output());
  assert.match(output(), /done on webgl/, 'the page\'s console reaches the run\'s output');
  // The server was closed with the run.
  await assert.rejects(fetch(url), 'nothing listens there any more');
});

test('a folder that is not a Vite app: the run fails with the reason', async () => {
  const folder = path.join(ROOT, 'src');
  const { handle } = run({ kind: 'page', target: folder, args: [], cwd: folder, viteApp: folder });
  const { report } = await handle.done;
  assert.equal(report.status, 'failed');
  assert.match(report.error?.message ?? '', /Vite/);
});
