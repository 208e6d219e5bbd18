// Every diagnosis rule: an example a user could have written fires it on the right layer and source line,
// nothing unrelated fires, and healthy models stay silent. Runs the real CLI on real tfjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding, RunReport } from '../../src/protocol/report.ts';
import { diagnose } from '../../src/model/diagnose/index.ts';
import { stepsToConverge } from '../../src/model/diagnose/batchNormStats.ts';
import { tensorLeak } from '../../src/model/diagnose/tensorLeak.ts';
import { lineOf, ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';

interface Case {
  example: string;
  rule: string;
  /** The layer the finding names (name prefix) and the text of the line it points at. */
  layer: string | null;
  line: string;
  /** Rules that follow from the same cause and may fire alongside. */
  related: string[];
}

const CASES: Case[] = [
  { example: 'batchnorm-mismatch.js', rule: 'loss-gap', layer: 'batch_normalization', line: 'batchNormalization(', related: ['batchnorm-batch-statistics', 'running-stats-shifted'] },
  { example: 'batchnorm-mismatch.js', rule: 'batchnorm-batch-statistics', layer: 'batch_normalization', line: 'batchNormalization(', related: ['loss-gap', 'running-stats-shifted'] },
  { example: 'batchnorm-mismatch.js', rule: 'running-stats-shifted', layer: 'batch_normalization', line: 'batchNormalization(', related: ['loss-gap', 'batchnorm-batch-statistics'] },
  { example: 'running-stats-lagging.js', rule: 'running-stats-lagging', layer: 'batch_normalization', line: 'batchNormalization(', related: ['loss-gap', 'batchnorm-batch-statistics', 'running-stats-shifted'] },
  { example: 'running-stats-frozen.js', rule: 'running-stats-frozen', layer: 'batch_normalization', line: 'batchNormalization(', related: [] },
  { example: 'frozen-layer-in-training-mode.js', rule: 'frozen-layer-in-training-mode', layer: 'batch_normalization', line: 'layer.trainable = false', related: ['loss-gap', 'batchnorm-batch-statistics', 'running-stats-shifted'] },
  { example: 'frozen-base.js', rule: 'frozen-layer-in-training-mode', layer: 'batch_normalization', line: 'base.trainable = false;', related: ['loss-gap', 'batchnorm-batch-statistics', 'running-stats-shifted'] },
  { example: 'weights-never-learn.js', rule: 'weights-never-learn', layer: 'real_or_fake', line: 'discriminator.trainable = false;', related: [] },
  { example: 'freeze-undone.js', rule: 'freeze-undone', layer: 'dense_Dense1', line: 'base.trainable = false;', related: [] },
  { example: 'dropout-in-gradient.js', rule: 'dropout-in-gradient', layer: 'dropout', line: 'tf.layers.dropout(', related: ['loss-gap'] },
  { example: 'nan-or-inf.js', rule: 'nan-or-inf', layer: 'dense_Dense2', line: "activation: 'relu'", related: [] },
  { example: 'tensor-leak.js', rule: 'tensor-leak', layer: null, line: 'tf.variableGrads(', related: [] },
  { example: 'no-gradient-calls.js', rule: 'no-gradient-calls', layer: null, line: '', related: [] },
];

const reports = new Map<string, RunReport>();
function reportOf(example: string): RunReport {
  let report = reports.get(example);
  if (!report) {
    const r = runCli(['run', path.join(ROOT, 'examples', example)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    report = r.report as RunReport;
    reports.set(example, report);
  }
  return report;
}

describe('each rule fires on its example, at the right layer and line, and nothing unrelated fires', () => {
  for (const c of CASES) {
    test(`${c.rule} on examples/${c.example}`, () => {
      const report = reportOf(c.example);
      const file = path.join(ROOT, 'examples', c.example);
      const finding = report.findings.find((f) => f.rule === c.rule) as Finding;
      assert.ok(finding, `${c.rule} did not fire; got ${report.findings.map((f) => f.rule)}`);
      if (c.layer) {
        const layer = report.layers.find((l) => l.id === finding.layer);
        assert.ok(layer?.name.startsWith(c.layer), `layer ${layer?.name}`);
      } else {
        assert.equal(finding.layer, null);
      }
      if (c.line) assert.deepEqual([finding.source?.file, finding.source?.line], [file, lineOf(file, c.line)]);
      assert.ok(finding.message.length > 40 && finding.fix.length > 20);
      const unrelated = report.findings.map((f) => f.rule).filter((r) => r !== c.rule && !c.related.includes(r));
      assert.deepEqual(unrelated, []);
    });
  }

  test('on the shared example the BatchNorm layer explains at least 90% of the loss gap', () => {
    const call = reportOf('batchnorm-mismatch.js').gradientCalls[0];
    const top = call.attribution?.[0];
    assert.ok(top && top.share >= 0.9, `share ${top?.share}`);
    assert.match(reportOf('batchnorm-mismatch.js').findings.find((f) => f.rule === 'loss-gap')?.message ?? '', /batch_normalization\S+ \(BatchNorm\) gives 100% of the gap/);
  });

  test('a frozen base of 27 BatchNorm layers: one finding per cause, every layer listed, the line that froze it', () => {
    const report = reportOf('frozen-base.js');
    assert.ok(report.findings.length <= 12, `${report.findings.length} findings`);
    const frozen = report.findings.filter((f) => f.rule === 'frozen-layer-in-training-mode');
    assert.equal(frozen.length, 1);
    const bn = report.layers.filter((l) => l.className === 'BatchNormalization').map((l) => l.id);
    assert.equal(bn.length, 27);
    assert.deepEqual([...(frozen[0].layers ?? [])].sort((a, b) => a - b), bn);
    assert.match(frozen[0].message, /27 BatchNorm layers in the frozen model base \(base\.trainable = false at frozen-base\.js:\d+\)/);
    // Inner layers are reported frozen in the call, by the base (a container layer in the report).
    const base = report.layers.find((l) => l.name === 'base');
    assert.ok(base?.isContainer);
    const call = report.gradientCalls[0];
    assert.ok(call.layers.filter((r) => bn.includes(r.layer)).every((r) => r.frozenBy === base.id && !r.trainable && r.learns === 'none'));
    assert.ok(call.weights.every((w) => !bn.includes(w.layer as number)), 'no gradient norms for the frozen weights');
  });

  test('weights that never learn: the discriminator heads frozen after compile, its nested features still train', () => {
    const report = reportOf('weights-never-learn.js');
    const finding = report.findings.find((f) => f.rule === 'weights-never-learn');
    const names = (finding?.layers ?? [finding?.layer]).map((id) => report.layers.find((l) => l.id === id)?.name).sort();
    assert.deepEqual(names, ['label', 'real_or_fake']);
    assert.match(finding?.message ?? '', /discriminator\.trainable = false at weights-never-learn\.js:\d+ froze them/);
    const features = report.layers.filter((l) => l.parents.includes(report.layers.find((p) => p.name === 'features')?.id ?? -1));
    assert.ok(features.length === 2);
    const discriminatorCalls = report.gradientCalls.filter((c) => c.model === report.layers.find((l) => l.name === 'discriminator')?.id);
    assert.equal(discriminatorCalls.length, 5);
    assert.ok(discriminatorCalls.every((c) => features.every((l) => c.layers.find((r) => r.layer === l.id)?.learns === 'all')), 'the nested feature layers still learn');
  });

  test('a gap made only by Dropout is by design: loss-gap is an info there, and no warning fires', () => {
    const report = reportOf('dropout-in-gradient.js');
    assert.equal(report.findings.find((f) => f.rule === 'loss-gap')?.severity, 'info');
    assert.deepEqual(report.findings.filter((f) => f.severity !== 'info').map((f) => f.rule), []);
    // With a BatchNorm among the layers that read the mode, the same rule warns.
    assert.equal(reportOf('batchnorm-mismatch.js').findings.find((f) => f.rule === 'loss-gap')?.severity, 'warning');
  });

  test('running-stats-lagging estimates the steps the momentum needs, in tfjs convention', () => {
    const finding = reportOf('running-stats-lagging.js').findings.find((f) => f.rule === 'running-stats-lagging');
    assert.match(finding?.message ?? '', /momentum 0\.999 \(tfjs\/Keras convention.*about [\d,]+ more steps/);
  });
});

describe('healthy models stay silent', () => {
  for (const name of ['healthy-mlp-fit.js', 'healthy-cnn-minimize.js', 'healthy-custom-loop.js', 'healthy-accumulate-grads.js', 'healthy-recompile.js']) {
    test(name, () => {
      const r = runCli(['run', path.join(SCRIPTS, name)]);
      assert.equal(r.code, 0);
      assert.ok((r.report?.gradientCallCount ?? 0) > 5);
      assert.deepEqual(r.report?.findings.filter((f) => f.severity !== 'info'), []);
      assert.deepEqual(r.report?.findings, []);
    });
  }
});

describe('rule details', () => {
  test('stepsToConverge follows moving ← moving·momentum + batch·(1 − momentum)', () => {
    // 0.99^459 ≈ 0.0099: a distance of 1 shrinks below 0.01 after 459 steps.
    assert.equal(stepsToConverge(1, 0.01, 0.99), 459);
    assert.equal(stepsToConverge(2, 0.1, 0.9), 29);
    assert.equal(stepsToConverge(0.05, 0.1, 0.99), 0);
  });

  test('tensor-leak: steady growth that stays is a leak; a jump, an epoch\'s sawtooth or a game\'s accumulation is not', () => {
    const base = reportOf('batchnorm-mismatch.js');
    const call = base.gradientCalls[0];
    const run = (counts: number[], atEnd: number): RunReport => ({
      ...base, status: 'completed', memory: { tensorsAtStart: counts[0], tensorsAtEnd: atEnd },
      gradientCalls: counts.map((n, i) => ({ ...call, index: i + 1, numTensorsBefore: n, numTensors: n + 1 })),
    });
    const steps = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
    assert.deepEqual(tensorLeak(run(steps(40, (i) => (i < 3 ? 10 : 30)), 30)), [], 'optimizer slots made once');
    assert.deepEqual(tensorLeak(run(steps(40, (i) => 10 + (i % 8)), 10)), [], 'fit: batch logs kept until the epoch ends');
    assert.deepEqual(tensorLeak(run(steps(60, (i) => 10 + 4 * (i % 6)), 10)), [], 'grads kept until the game ends');
    assert.deepEqual(tensorLeak(run(steps(40, (i) => 10 + 3 * i), 10)), [], 'growth that came back by the end');
    assert.deepEqual(tensorLeak(run(steps(15, (i) => 10 + 3 * i), 60)), [], 'too few calls to judge');
    const leak = tensorLeak(run(steps(40, (i) => 10 + 3 * i), 130));
    assert.equal(leak.length, 1);
    assert.match(leak[0].message, /grew by about 3 per call/);
  });

  test('tensor-leak names the line that created the leaking tensors', () => {
    const finding = reportOf('tensor-leak.js').findings.find((f) => f.rule === 'tensor-leak');
    const file = path.join(ROOT, 'examples', 'tensor-leak.js');
    assert.equal(finding?.source?.line, lineOf(file, 'tf.variableGrads('));
    assert.match(finding?.summary ?? '', /created at tensor-leak\.js:\d+/);
  });

  test('no-gradient-calls speaks of a page when the run was a page\'s, and says how a worker hands its tfjs over', () => {
    const script = reportOf('no-gradient-calls.js');
    assert.equal(script.findings.find((f) => f.rule === 'no-gradient-calls')?.summary, 'The script made no gradient call');
    const page = diagnose({ ...script, target: 'http://127.0.0.1:5173/' }).find((f) => f.rule === 'no-gradient-calls');
    assert.equal(page?.summary, 'The page made no gradient call');
    assert.match(page?.fix ?? '', /self\.__tfjsDebugger\?\.attach\(tf\)/);
  });

  test('findings are sorted by severity and every rule is a pure function of the report', () => {
    const report = reportOf('running-stats-lagging.js');
    const again = diagnose(JSON.parse(JSON.stringify(report)));
    assert.deepEqual(again, report.findings);
    const order = { error: 0, warning: 1, info: 2 };
    assert.ok(again.every((f, i) => i === 0 || order[again[i - 1].severity] <= order[f.severity]));
  });
});
