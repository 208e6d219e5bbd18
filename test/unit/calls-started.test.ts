// On the deferred strategy (a page on webgl) a call's record waits for its values, which arrive only when the
// page's code yields: the count of calls started goes out at once (the first call, then at most once a second),
// so that the host sees a page whose training loop never yields still training. On the other strategies records
// go out as calls end, and no count is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { instrument } from '../../src/engine/instrument.ts';
import { DEFAULT_RUN_OPTIONS } from '../../src/protocol/runOptions.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import type { ReadStrategy } from '../../src/engine/readback/readback.ts';
import { ReportBuilder } from '../../src/model/reportBuilder.ts';

const load = createRequire(__filename);
const tf = load('@tensorflow/tfjs');
const core = load('@tensorflow/tfjs-core');
const layers = load('@tensorflow/tfjs-layers');

/** Seven steps of a small model in one task (no await between them), on a clock that moves 100 ms a read. */
async function train(readStrategy: ReadStrategy): Promise<{ events: RunnerEvent[]; beforeSettled: string[] }> {
  await core.setBackend('cpu');
  const events: RunnerEvent[] = [];
  let clock = 0;
  const instr = instrument({ core, layers }, { ...DEFAULT_RUN_OPTIONS, readStrategy, now: () => (clock += 100), emit: (e) => events.push(e) });
  try {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
    const x = tf.ones([2, 3]);
    const optimizer = tf.train.sgd(0.1);
    for (let step = 0; step < 7; step++) optimizer.minimize(() => tf.losses.meanSquaredError(tf.zeros([2, 4]), model.apply(x)));
    const beforeSettled = events.map((e) => (e.type === 'calls-started' ? `started ${e.count} on ${e.backend}` : e.type));
    instr.flush();
    await instr.settled();
    tf.dispose([x, model, optimizer]);
    return { events, beforeSettled };
  } finally {
    instr.uninstall();
  }
}

test('deferred: the count of calls started goes out before the records, with the first call and then once a second', async () => {
  const { events, beforeSettled } = await train('deferred');
  // Each step reads the clock a few times; whatever that makes a step, the counts are a second apart.
  const started = events.flatMap((e) => (e.type === 'calls-started' ? [e.count] : []));
  assert.equal(started[0], 1);
  assert.ok(started.length >= 2 && started.length < 7, `counts ${started}`);
  // The first call's values are read at once (readback.ts, readAtOnce); the others' records wait for theirs.
  assert.equal(beforeSettled.filter((e) => e === 'gradient-call').length, 1, `the records wait for their values: ${beforeSettled}`);
  assert.equal(beforeSettled[0], 'started 1 on cpu');
  // Folded, the count is the report's gradient call count until the records come.
  const builder = new ReportBuilder('page', []);
  for (const e of events) if (e.type !== 'gradient-call') builder.apply(e);
  assert.equal(builder.gradientCallCount, started[started.length - 1]);
  assert.equal(events.filter((e) => e.type === 'gradient-call').length, 7);
});

test('batched and immediate: records go out as calls end, and no count is sent', async () => {
  for (const strategy of ['batched', 'immediate'] as const) {
    const { events, beforeSettled } = await train(strategy);
    assert.deepEqual(events.filter((e) => e.type === 'calls-started'), [], strategy);
    assert.ok(beforeSettled.includes('gradient-call'), strategy);
  }
});
