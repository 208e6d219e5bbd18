// Ctrl+. on the debugger's diagnostics, without VS Code: for the BatchNorm example, the plan offers one fix (the
// model called with {training: false} in the loss closure) for the layer line's findings, "Show in TF.js
// Debugger" once; applying it and re-running closes the loss gap, and the comparison says so in numbers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunReport, SourceLocation } from '../../src/protocol/report.ts';
import { applyEdits, fixesFor } from '../../src/fixes/sourceFixes.ts';
import { compareRuns, gapOf } from '../../src/extension/logic/fixComparison.ts';
import { planCodeActions, rerunTitle } from '../../src/extension/logic/quickFixes.ts';
import { recentFirst } from '../../src/extension/logic/recent.ts';
import { ReplayBuffer, terminalText } from '../../src/extension/logic/terminalText.ts';
import { lineOf, ROOT, runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(path.join(ROOT, 'test', '.tmp-quick-fixes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'batchnorm-mismatch.js');
writeFileSync(file, readFileSync(path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), 'utf8'));

function run(): RunReport {
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.report as RunReport;
}

const same = (loc: SourceLocation) => loc;
let beforeFix: RunReport;

test('the layer line\'s diagnostics: one fix, titled by what it does, and Show once', () => {
  beforeFix = run();
  const line = lineOf(file, 'batchNormalization(') - 1;
  const diagnostics = beforeFix.findings.map((f) => ({ code: f.rule, line }));
  const text = readFileSync(file, 'utf8');
  const plan = planCodeActions(beforeFix, file, text, diagnostics, same, fixesFor);
  assert.deepEqual(plan.fixes.map((f) => f.fix.title), ['Call the model with {training: false} in the loss closure']);
  assert.equal(plan.fixes[0].finding.rule, 'loss-gap');
  assert.equal(rerunTitle(plan.fixes[0].fix), 'Call the model with {training: false} in the loss closure, then re-run and compare');
  assert.ok(plan.show);
  assert.equal(plan.showLayer, beforeFix.findings[0].layer);
  // A diagnostic on another line gets nothing; an edit that removed the finding's place drops its fix.
  assert.equal(planCodeActions(beforeFix, file, text, [{ code: 'loss-gap', line: line + 1 }], same, fixesFor).fixes.length, 0);
  assert.equal(planCodeActions(beforeFix, file, text, diagnostics, () => null, fixesFor).fixes.length, 0);

  writeFileSync(file, applyEdits(text, plan.fixes[0].fix.edits));
  assert.match(readFileSync(file, 'utf8'), /m\.apply\(x, \{ training: false \}\)/);
});

test('re-run after the fix: the gap is closed, and the comparison says so with both runs\' numbers', () => {
  const afterFix = run();
  assert.equal(gapOf(beforeFix).open, true);
  assert.equal(gapOf(afterFix).open, false);
  assert.ok(!afterFix.findings.some((f) => f.rule === 'loss-gap'));
  const c = compareRuns(beforeFix, afterFix);
  assert.ok(c.closed);
  assert.match(c.headline, /^batchnorm-mismatch\.js after the fix: the loss gap is closed \(39\.6157 inside the gradient call, 39\.6157 in inference; it was -7\.5%\)\.$/);
  assert.match(c.detail[0], /^Before the fix: loss gap 36\.6356 inside the gradient call against 39\.6157 in inference \(-7\.5%\); findings: loss-gap, /);
  assert.match(c.detail[1], /^After the fix: {2}loss gap none/);
  assert.match(c.detail.join('\n'), /Gone: loss-gap/);
  const stillOpen = compareRuns(beforeFix, beforeFix);
  assert.ok(!stillOpen.closed);
  assert.match(stillOpen.headline, /still open/);
});

test('pickers list recent targets first, newest first, the rest in order', () => {
  assert.deepEqual(recentFirst(['a', 'b', 'c', 'd'], (x) => x, ['c', 'a']), ['c', 'a', 'b', 'd']);
  assert.deepEqual(recentFirst(['a', 'b'], (x) => x, []), ['a', 'b']);
});

test('terminal text: colours kept, other escapes and controls shown, LF as CRLF; the replay keeps the tail', () => {
  assert.equal(terminalText('\u001b[32mok\u001b[0m\n'), '\u001b[32mok\u001b[0m\r\n');
  assert.equal(terminalText('a\r\nb'), 'a\r\nb');
  assert.equal(terminalText('\u001b]0;title\u0007x'), '\\x1b]0;title\\x07x');
  const r = new ReplayBuffer(10);
  r.push('0123456');
  r.push('789abc');
  assert.equal(r.text(), '789abc', 'whole chunks are dropped from the front');
});

test('editor settings: hovers and CodeLens on unless turned off', async () => {
  const { readEditorSettings } = await import('../../src/extension/logic/settings.ts');
  assert.deepEqual(readEditorSettings(() => undefined), { hovers: true, codeLens: true });
  assert.deepEqual(readEditorSettings((k) => (k === 'codeLens.enabled' ? false : undefined)), { hovers: true, codeLens: false });
  assert.deepEqual(readEditorSettings((k) => (k === 'hovers.enabled' ? false : 'junk')), { hovers: false, codeLens: true });
});
