// Which of a page's agents (the page's, each worker's) a run records: the first to train, else the first to attach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordedAgent } from '../../src/host/browser/recordedAgent.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import type { GradientCallRecord } from '../../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';

const start = (target: string): RunnerEvent => ({
  type: 'run-start', target, args: [], cwd: '', pid: 0, startedAt: '', options: DEFAULT_RUN_OPTIONS,
  tfjs: { version: '4.22.0', backend: 'cpu', source: 'workspace', path: 'page' },
});
const call = (index: number): RunnerEvent => ({ type: 'gradient-call', call: { index } as GradientCallRecord });
const log = (message: string): RunnerEvent => ({ type: 'log', level: 'info', message });
const describeEvent = (e: RunnerEvent) => (e.type === 'run-start' ? `start ${e.target}` : e.type === 'gradient-call' ? `call ${e.call.index}` : e.type === 'log' ? `${e.level} ${e.message}` : e.type);

function agents() {
  const accepted: string[] = [];
  return { accepted, recorded: new RecordedAgent((e) => accepted.push(describeEvent(e))) };
}

test('one agent: its events wait until it trains, then go out in order, and the rest as they come', () => {
  const { accepted, recorded } = agents();
  recorded.event(start('page'), 'p');
  recorded.event(log('layers built'), 'p');
  assert.deepEqual(accepted, []);
  recorded.event(call(1), 'p');
  recorded.event(call(2), 'p');
  assert.deepEqual(accepted, ['start page', 'info layers built', 'call 1', 'call 2']);
  assert.equal(recorded.settle(), 'p');
});

test('the page attaches first and its worker trains: the worker is recorded, nothing of the page\'s', () => {
  const { accepted, recorded } = agents();
  recorded.event(start('page'), 'p');
  recorded.event(start('worker.js'), 'w');
  recorded.event(log('page log'), 'p');
  recorded.event(call(1), 'w');
  recorded.event(log('late page log'), 'p');
  assert.deepEqual(accepted, ['start worker.js', 'call 1']);
  assert.equal(recorded.session, 'w');
});

test('a second agent that trains too is named once, and left out', () => {
  const { accepted, recorded } = agents();
  recorded.event(start('page'), 'p');
  recorded.event(call(1), 'p');
  recorded.event(start('worker.js'), 'w');
  recorded.event(call(1), 'w');
  recorded.event(call(2), 'w');
  assert.deepEqual(accepted, ['start page', 'call 1', 'warn a second tfjs trains too (in worker.js); only the first one to train is recorded']);
});

test('none trains: the first to attach is recorded at the end; none attached: none', () => {
  const { accepted, recorded } = agents();
  recorded.event(log('before any start'), 'w');
  recorded.event(start('worker.js'), 'w');
  recorded.event(start('page'), 'p');
  recorded.event(log('worker log'), 'w');
  assert.equal(recorded.settle(), 'w');
  assert.deepEqual(accepted, ['start worker.js', 'info worker log']);
  assert.equal(agents().recorded.settle(), undefined);
});

test('a count of calls started (records still on their way) is training too: that agent is chosen at once', () => {
  const { accepted, recorded } = agents();
  recorded.event(start('page'), 'p');
  recorded.event(start('worker.js'), 'w');
  recorded.event({ type: 'calls-started', count: 1, backend: 'webgl' }, 'w');
  assert.equal(recorded.session, 'w');
  assert.deepEqual(accepted, ['start worker.js', 'calls-started']);
});
