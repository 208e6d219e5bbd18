// The runner as the extension starts it (launchOptionsFor: its own Node with ELECTRON_RUN_AS_NODE, piped
// output, dist/ of the extension), through the RunStore and the RunSlot that RunController owns it with: a
// crash or process.exit ends the run with a clear error and the next run works; Stop ends a busy script within a
// second; the timeout setting applies; deactivation and window close kill the runner's whole process group by
// PID; two runs never overlap; the runner reads nothing the host could pass on from the webview.
import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import { launchRunner, type RunHandle } from '../../src/host/launch.ts';
import { encodeFrame } from '../../src/runner/eventChannel.ts';
import { EventDecoder } from '../../src/host/eventReader.ts';
import { RunSlot } from '../../src/extension/logic/runSlot.ts';
import { RunStore, type RunEntry, type RunRequest } from '../../src/extension/logic/runStore.ts';
import { DEFAULT_SETTINGS, launchOptionsFor, type DebuggerSettings } from '../../src/extension/logic/settings.ts';
import { ROOT, SCRIPTS } from '../helpers/cli.ts';
import { clip, ReliabilitySection, secondsSince } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('isolation');

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

doc.test('a script that calls process.exit, then one that throws: each ends with its error; the next run works', async () => {
  const started = Date.now();
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
  return {
    tried: 3,
    result: `process.exit(3): ${exited.report.status}, "${clip(exited.report.error?.message, 40)}"; throw: ${thrown.report.status}; next run: ${ok.report.status} (${secondsSince(started)})`,
    lost: `nothing: ${exited.report.gradientCallCount} gradient call before the exit kept; the host kept going`,
  };
}, { caseName: 'a runner that exits or crashes, then the next run' });

doc.test('Stop ends a script stuck in a loop within a second, and the store records it as stopped', async () => {
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
  return { tried: 1, result: `a synchronous loop stopped ${took} ms after Stop; status ${result.report.status}`, lost: 'nothing: the store is free for the next run' };
}, { caseName: 'Stop during a synchronous infinite loop' });

doc.test('the timeoutSeconds setting stops a run that takes longer', async () => {
  const started = Date.now();
  const store = new RunStore();
  const { done } = start(store, path.join(SCRIPTS, 'hangs.js'), { ...DEFAULT_SETTINGS, timeoutSeconds: 2 });
  const result = await done;
  assert.equal(result.report.status, 'timed-out');
  assert.match(result.report.error?.message ?? '', /did not finish within 2 s/);
  return { tried: 1, result: `${result.report.status} after ${secondsSince(started)}: "${clip(result.report.error?.message, 60)}"`, lost: 'nothing: report kept' };
}, { caseName: 'the timeoutSeconds setting (2 s) on a synchronous infinite loop' });

// ---- processes, read from /proc ----

/** State letter of a process (R, S, Z, ...), or null when it is gone (exited and reaped). */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return null;
  }
}

/** Processes in a process group that are still alive (zombies are dead: they hold no memory and run nothing). */
function liveInGroup(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

async function until<T>(what: string, check: () => T | null | undefined | false, ms: number, every = 10): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** A script that starts a child process of its own (it inherits the runner's process group), prints its PID,
 *  then spins in a synchronous loop: only a signal ends it. */
function loopWithChild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-kill-'));
  const script = path.join(dir, 'spawns-and-loops.js');
  writeFileSync(script, [
    "const { spawn } = require('node:child_process');",
    "const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });",
    "console.log('CHILD ' + child.pid);",
    'setTimeout(() => { for (;;) {} }, 50);',
  ].join('\n'));
  return script;
}

/** Parent PID of a process, or null when it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * Waits until nothing in the runner's process group is alive; ms from `since`. A process whose parent is still
 * running must also be reaped (no zombie left by the runner's owner); one whose parent is gone belongs to init
 * then, which reaps it (in this sandbox PID 1 does not reap, so such a zombie may stay, dead).
 */
async function goneWithin(runner: number, child: number, since: number, ms: number): Promise<number> {
  const dead = (pid: number) => {
    const state = procState(pid);
    return state === null || (state === 'Z' && parentOf(pid) === 1);
  };
  await until(`runner ${runner} and its group gone`, () => dead(runner) && dead(child) && liveInGroup(runner).length === 0, ms, 5);
  return Date.now() - since;
}

/** Starts a run the way RunController.launch does: launch options from the settings, owned by the slot. */
function launchInto(slot: RunSlot<string>, script: string, onOutput?: (chunk: string) => void): RunHandle {
  const request: RunRequest = { kind: 'script', target: script, args: [], cwd: path.dirname(script) };
  const handle = launchRunner({ ...launchOptionsFor(request, DEFAULT_SETTINGS, HOST), onOutput });
  slot.hold(script, handle, () => undefined);
  return handle;
}

doc.test('deactivation: RunController.dispose (its RunSlot) kills the runner and its process group by PID within a second; nothing starts after', async () => {
  const slot = new RunSlot<string>();
  let output = '';
  const script = loopWithChild();
  const started = await slot.start(async () => false, () => launchInto(slot, script, (c) => { output += c; }));
  assert.ok(started.started);
  const handle = started.value;
  const runner = handle.pid as number;
  const child = Number((await until('the script\'s child PID', () => /CHILD (\d+)/.exec(output), 30_000))[1]);
  await new Promise((r) => setTimeout(r, 200)); // into the loop
  assert.equal(procState(runner), 'R', 'the runner spins in the script\'s loop');
  assert.deepEqual(liveInGroup(runner).sort(), [runner, child].sort(), 'the runner leads a group holding the script\'s child');
  const t0 = Date.now();
  slot.dispose();
  const took = await goneWithin(runner, child, t0, 1000);
  assert.equal(procState(runner), null, 'the runner is reaped: no zombie');
  const { report } = await handle.done;
  assert.equal(report.status, 'cancelled');
  assert.equal(slot.running, false);
  let launched = false;
  const after = await slot.start(async () => true, () => { launched = true; });
  assert.deepEqual(after, { started: false, reason: 'disposed' });
  assert.equal(launched, false, 'no run starts once the extension is deactivating');
  return { tried: 1, result: `runner (spinning) and the script's child gone ${took} ms after dispose; runner reaped; a later start refused`, lost: 'nothing left running' };
}, { caseName: 'extension deactivate with a script in a synchronous loop that started a child' });

const HOST_PROCESS = path.join(ROOT, 'test', 'helpers', 'host-process.ts');

for (const [name, command, caseName] of [
  ['window close: the host deactivates the extension, then exits; the runner and its group are gone within a second', 'dispose-exit', 'window close: the extension host deactivates, then exits'],
  ['the host exits without deactivating: its exit hook kills the runner group by PID within a second', 'exit', 'the extension host exits without deactivating'],
] as const) {
  doc.test(name, async () => {
    const script = loopWithChild();
    const host = spawn(process.execPath, ['--import', 'tsx', HOST_PROCESS, script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    host.stdout.setEncoding('utf8').on('data', (c: string) => { output += c; });
    const hostExit = new Promise<number | null>((resolve) => host.on('exit', (code) => resolve(code)));
    try {
      const runner = Number((await until('the runner PID', () => /RUNNER (\d+)/.exec(output), 60_000))[1]);
      const child = Number((await until('the script\'s child PID', () => /CHILD (\d+)/.exec(output), 30_000))[1]);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(liveInGroup(runner).sort(), [runner, child].sort());
      const t0 = Date.now();
      host.stdin.write(`${command}\n`);
      assert.equal(await hostExit, 0);
      const took = await goneWithin(runner, child, t0, 1000);
      return { tried: 1, result: `host exited; the spinning runner and the script's child gone ${took} ms after the host was told to close`, lost: 'nothing left running' };
    } finally {
      host.kill('SIGKILL');
    }
  }, { caseName });
}

doc.test('the extension host killed by a signal (SIGTERM): the runner group must not outlive it', async () => {
  const script = loopWithChild();
  const host = spawn(process.execPath, ['--import', 'tsx', HOST_PROCESS, script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  host.stdout.setEncoding('utf8').on('data', (c: string) => { output += c; });
  let runner = 0;
  try {
    runner = Number((await until('the runner PID', () => /RUNNER (\d+)/.exec(output), 60_000))[1]);
    const child = Number((await until('the script\'s child PID', () => /CHILD (\d+)/.exec(output), 30_000))[1]);
    const t0 = Date.now();
    host.kill('SIGTERM');
    const took = await goneWithin(runner, child, t0, 2000);
    return { tried: 1, result: `runner group gone ${took} ms after the host was killed`, lost: 'nothing left running' };
  } finally {
    host.kill('SIGKILL');
    // Whatever the outcome, leave nothing spinning.
    if (runner) try { process.kill(-runner, 'SIGKILL'); } catch { /* gone */ }
  }
}, {
  caseName: 'the extension host killed by SIGTERM (no deactivate, no exit hook): the runner\'s watchdog ends its group',
});

doc.test('two runs at once: a second start is refused while one waits on the user, declined keeps the first, confirmed starts only after the first runner is gone', async () => {
  const slot = new RunSlot<string>();
  let output = '';
  const first = await slot.start(async () => false, () => launchInto(slot, loopWithChild(), (c) => { output += c; }));
  assert.ok(first.started);
  const runnerA = first.value.pid as number;
  await until('the first run\'s script', () => /CHILD \d+/.test(output), 30_000);
  let answer: (yes: boolean) => void = () => undefined;
  let launchedB = false;
  const asking = slot.start(() => new Promise<boolean>((resolve) => { answer = resolve; }), () => { launchedB = true; });
  const third = await slot.start(async () => true, () => { launchedB = true; });
  assert.deepEqual(third, { started: false, reason: 'starting' }, 'refused while the first question is open');
  answer(false);
  assert.deepEqual(await asking, { started: false, reason: 'declined' });
  assert.equal(launchedB, false);
  assert.ok(['R', 'S'].includes(procState(runnerA) ?? ''), 'the first run keeps running');
  let stateOfAAtLaunch: string | null = 'not launched';
  const t0 = Date.now();
  const second = await slot.start(async () => true, () => {
    stateOfAAtLaunch = procState(runnerA);
    return launchInto(slot, path.join(ROOT, 'examples', 'batchnorm-mismatch.js'));
  });
  const waited = Date.now() - t0;
  assert.ok(second.started);
  assert.equal(stateOfAAtLaunch, null, 'the first runner was gone (and reaped) before the second was launched');
  assert.equal((await first.value.done).report.status, 'cancelled');
  const { report } = await second.value.done;
  assert.equal(report.status, 'completed');
  assert.equal(report.gradientCalls.length, 1);
  return {
    tried: 3,
    result: `during a question: refused (${third.started ? '' : third.reason}); declined: first kept running; confirmed: first runner gone after ${waited} ms, then the second ran (${report.status})`,
    lost: 'nothing: never two runners at once; the stopped run keeps its report (cancelled)',
  };
}, { caseName: 'two runs at once' });

doc.test('the runner takes no input from the host: webview messages sent down its event channel are never evaluated', async () => {
  // The host's handle on a runner has no way to send: pid, done, cancel, interrupt (a signal).
  const handle = launchRunner({ ...launchOptionsFor({ kind: 'script', target: path.join(SCRIPTS, 'exits-zero.js'), args: [], cwd: SCRIPTS }, DEFAULT_SETTINGS, HOST) });
  assert.deepEqual(Object.keys(handle).sort(), ['cancel', 'done', 'interrupt', 'pid']);
  await handle.done;
  // Even a host that did write: the runner, started as launchRunner starts it (its events on fd 3), on a script
  // that waits a moment, gets framed hostile messages written into the other direction of its channel.
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-no-eval-'));
  const marker = path.join(dir, 'evaluated');
  const script = path.join(dir, 'waits.js');
  writeFileSync(script, "setTimeout(() => console.log('done waiting', typeof process.send), 1500);\n");
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'runner.js'), JSON.stringify({ options: DEFAULT_RUN_OPTIONS, kind: 'script', dataFile: null, backend: 'auto' }), script], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true,
  });
  const events: RunnerEvent[] = [];
  let output = '';
  const channel = child.stdio[3] as Duplex;
  const decoder = new EventDecoder((e) => events.push(e));
  channel.on('data', (c: Buffer) => decoder.push(c));
  channel.on('error', () => undefined); // the runner never reads what was written: its end resets on exit
  child.stdout?.setEncoding('utf8').on('data', (c: string) => { output += c; });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { output += c; });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await until('run-start', () => events.some((e) => e.type === 'run-start'), 30_000);
  const code = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`;
  const hostile: unknown[] = [
    { type: 'eval', code }, { type: 'command', command: 'rerun' }, { type: 'command', command: code },
    { type: 'reveal-source', source: { file: marker, line: 1, column: 1 } }, { type: 'select-layer', layer: 1 }, { type: 'ready' },
    code, { toString: code }, { __proto__: { polluted: true }, type: 'ready' },
  ];
  for (const m of hostile) channel.write(encodeFrame(m as RunnerEvent));
  assert.equal(await closed, 0, output);
  assert.equal(existsSync(marker), false, 'nothing was evaluated');
  assert.match(output, /done waiting undefined/, 'the script sees no process.send, as under plain node');
  const end = events.find((e) => e.type === 'run-end');
  assert.equal(end?.type === 'run-end' ? end.status : null, 'completed');
  return { tried: hostile.length, result: `${hostile.length} messages (eval, commands, code strings) written into a running runner's channel: none evaluated, the run completed unchanged; the script's process.send is undefined`, lost: 'nothing' };
}, { caseName: 'the runner evaluates nothing the webview (or the host) sends' });
