// Every diagnosis rule: an example a user could have written fires it on the right layer and source line,
// nothing unrelated fires, and healthy models stay silent. Runs the real CLI on real tfjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding, RunReport } from '../../src/protocol.ts';
import { diagnose } from '../../src/core/diagnose/index.ts';
import { stepsToConverge } from '../../src/core/diagnose/batchNormStats.ts';
import { tensorLeak } from '../../src/core/diagnose/tensorLeak.ts';
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
  { example: 'frozen-layer-in-training-mode.js', rule: 'frozen-layer-in-training-mode', layer: 'batch_normalization', line: 'batchNormalization(', related: ['loss-gap', 'batchnorm-batch-statistics', 'running-stats-shifted'] },
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
    assert.match(reportOf('batchnorm-mismatch.js').findings.find((f) => f.rule === 'loss-gap')?.message ?? '', /batch_normalization\S+ \(BatchNormalization, 100% of the gap\)/);
  });

  test('running-stats-lagging estimates the steps the momentum needs, in tfjs convention', () => {
    const finding = reportOf('running-stats-lagging.js').findings.find((f) => f.rule === 'running-stats-lagging');
    assert.match(finding?.message ?? '', /momentum 0\.999 \(tfjs\/Keras convention.*about \d+ more steps/);
  });
});

describe('healthy models stay silent', () => {
  for (const name of ['healthy-mlp-fit.js', 'healthy-cnn-minimize.js', 'healthy-custom-loop.js']) {
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

  test('tensor-leak ignores a one-off jump and flags steady growth', () => {
    const base = reportOf('batchnorm-mismatch.js');
    const call = base.gradientCalls[0];
    const withCounts = (counts: number[]): RunReport => ({
      ...base, gradientCalls: counts.map((n, i) => ({ ...call, index: i + 1, numTensors: n })),
    });
    assert.deepEqual(tensorLeak(withCounts([10, 10, 50, 50, 50, 50, 50, 50])), []);
    const leak = tensorLeak(withCounts([10, 13, 16, 19, 22, 25, 28, 31]));
    assert.equal(leak.length, 1);
    assert.match(leak[0].message, /about 3\.0 per gradient call/);
  });

  test('findings are sorted by severity and every rule is a pure function of the report', () => {
    const report = reportOf('running-stats-lagging.js');
    const again = diagnose(JSON.parse(JSON.stringify(report)));
    assert.deepEqual(again, report.findings);
    const order = { error: 0, warning: 1, info: 2 };
    assert.ok(again.every((f, i) => i === 0 || order[again[i - 1].severity] <= order[f.severity]));
  });
});
