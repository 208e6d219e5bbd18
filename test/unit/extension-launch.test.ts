// The runner as the extension starts it (launchOptionsFor: its own Node with ELECTRON_RUN_AS_NODE, piped
// output, dist/ of the extension), through the RunStore: a crash or process.exit ends the run with a clear
// error and the next run works; Stop ends a busy script within a second; the timeout setting applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { launchRunner } from '../../src/runner/launch.ts';
import { RunStore, type RunEntry, type RunRequest } from '../../src/extension/runStore.ts';
import { DEFAULT_SETTINGS, launchOptionsFor, type DebuggerSettings } from '../../src/extension/settings.ts';
import { ROOT, SCRIPTS } from '../helpers/cli.ts';

const HOST = { execPath: process.execPath, env: process.env, distDir: path.join(ROOT, 'dist') };

function start(store: RunStore, target: string, settings: DebuggerSettings = DEFAULT_SETTINGS, onRunStart?: (cancel: () => void) => void) {
  const request: RunRequest = { kind: 'script', target, args: [], cwd: path.dirname(target) };
  const run: RunEntry = store.start(request);
  let output = '';
  const handle = launchRunner({
    ...launchOptionsFor(request, settings, HOST),
    onOutput: (chunk) => { output += chunk; },
    onEvent: (e) => {
      store.apply(run.id, [e]);
      if (e.type === 'run-start') onRunStart?.(() => handle.cancel());
    },
  });
  const done = handle.done.then(async (r) => {
    await store.finish(run.id, r.report);
    return { ...r, output };
  });
  return { run, done };
}

test('a script that calls process.exit, then one that throws: each ends with its error; the next run works', async () => {
  const store = new RunStore();
  const exited = await start(store, path.join(SCRIPTS, 'exits.js')).done;
  assert.equal(exited.report.status, 'failed');
  assert.match(exited.report.error?.message ?? '', /process\.exit\(3\)/);
  assert.equal(exited.report.error?.file, path.join(SCRIPTS, 'exits.js'));
  assert.equal(exited.report.gradientCallCount, 1, 'what ran before the exit is kept');

  const thrown = await start(store, path.join(SCRIPTS, 'throws.js')).done;
  assert.equal(thrown.report.status, 'failed');
  assert.ok(thrown.report.error?.message);
  assert.equal(thrown.report.error?.file, path.join(SCRIPTS, 'throws.js'));

  const ok = await start(store, path.join(ROOT, 'examples', 'batchnorm-mismatch.js')).done;
  assert.equal(ok.report.status, 'completed');
  assert.match(ok.output, /final loss/);
  assert.deepEqual(store.runs().map((r) => r.status), ['completed', 'failed', 'failed']);
});

test('Stop ends a script stuck in a loop within a second, and the store records it as stopped', async () => {
  const store = new RunStore();
  let stopAt = 0;
  const { run, done } = start(store, path.join(SCRIPTS, 'hangs.js'), DEFAULT_SETTINGS, (cancel) => {
    setTimeout(() => {
      stopAt = Date.now();
      cancel();
    }, 300);
  });
  const result = await done;
  const took = Date.now() - stopAt;
  assert.ok(stopAt > 0);
  assert.ok(took < 1000, `stopped after ${took} ms`);
  assert.equal(result.report.status, 'cancelled');
  assert.equal(run.status, 'cancelled');
  assert.equal(store.current, undefined);
});

test('the timeoutSeconds setting stops a run that takes longer', async () => {
  const store = new RunStore();
  const { done } = start(store, path.join(SCRIPTS, 'hangs.js'), { ...DEFAULT_SETTINGS, timeoutSeconds: 2 });
  const result = await done;
  assert.equal(result.report.status, 'timed-out');
  assert.match(result.report.error?.message ?? '', /did not finish within 2 s/);
});
