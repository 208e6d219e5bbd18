// Issue 14 in the editor, on the BatchNorm example, in one code-server session: the script's output in the
// debugger's own terminal; a Problems row that starts with the point; Ctrl+. on the layer line offers the fix by
// what it does, applying it with "then re-run and compare" runs again and the loss gap is closed; Ctrl-C in the
// terminal interrupts a script as in a shell.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { log, ROOT } from './harness.ts';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';

const EXAMPLE = 'batchnorm-mismatch.js';
const source = readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8').split('\n');
const BN_LINE = source.findIndex((l) => l.includes('batchNormalization(')) + 1;
const BN_COLUMN = source[BN_LINE - 1].indexOf('batchNormalization(') + 3;
const FIX = 'Call the model with {training: false} in the loss closure';

describe('the editor: terminal, Problems, quick fix and re-run', () => {
  const sc = scenario({ name: 'editor' });

  sc.step('the script runs in the TF.js Debugger terminal: its prints there, then how the run ended', async (_s, wb) => {
    await wb.openFile(EXAMPLE);
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('completed', 120_000);
    await wb.runCommand('TF.js Debugger: Show Script Output');
    const text = await until('the printout and the end line in the terminal', async () => {
      const t = await wb.terminalText();
      return /initial loss: [\d.]+/.test(t) && /batchnorm-mismatch\.js: completed after [\d.]+ s, 1 gradient call, 3 findings/.test(t) ? t : null;
    }, 30_000, 500);
    assert.match(text, /── batchnorm-mismatch\.js ──/, 'a header names the run');
    assert.match(text, /loss calculated in gradient: [\d.]+/);
    log(`terminal:\n${text}`);
  });

  sc.step('Problems: the row starts with the point; the details hold the gradient call and the fix', async (_s, wb) => {
    const problems = await wb.problems();
    log(`Problems: ${problems.join(' | ')}`);
    // A row reads "Warning: <message> at line 6 and character 13. …" to a screen reader (its aria-label).
    const row = problems.find((p) => p.startsWith('Warning: BatchNorm normalises with batch statistics inside the gradient call: loss -7.5% at line'));
    assert.ok(row, `a row that starts with the point: ${problems.join(' | ')}`);
    assert.ok(problems.some((p) => /^Gradient call #1 \(variableGrads\): loss \d+\.\d+ inside, \d+\.\d+ in inference mode, \d+\.\d+ after at line 11\b/.test(p)), 'the gradient call as related information');
    assert.ok(problems.some((p) => /^Fix: /.test(p)), 'the fix as related information');
    await wb.runCommand('View: Hide Panel');
  });

  sc.step('Ctrl+. on the layer line: the fix by what it does, its re-run twin, Show once; applying it closes the gap', async (s, wb) => {
    await wb.openFile(EXAMPLE);
    await wb.clearNotifications();
    const actions = await wb.codeActionsAt(BN_LINE, BN_COLUMN);
    log(`code actions: ${actions.join(' | ')}`);
    assert.ok(actions.some((a) => a.startsWith(FIX) && !a.includes('re-run')), `"${FIX}" offered: ${actions.join(' | ')}`);
    assert.ok(actions.some((a) => a.startsWith(`${FIX}, then re-run and compare`)), actions.join(' | '));
    assert.equal(actions.filter((a) => a.startsWith('Show in TF.js Debugger')).length, 1, `"Show in TF.js Debugger" once, for three diagnostics: ${actions.join(' | ')}`);
    await s.screenshot(path.join(ROOT, 'docs', 'screenshots', 'e2e-quick-fix.png'));
    await wb.applyCodeAction(`${FIX}, then re-run and compare`);

    const note = await wb.waitForNotification(/after the fix: the loss gap is closed/, 120_000);
    log(`notification: ${note}`);
    const m = /\((\d+\.\d+) inside the gradient call, (\d+\.\d+) in inference; it was -7\.5%\)/.exec(note);
    assert.ok(m && m[1] === m[2], `the same loss inside and in inference after the fix: ${note}`);
    const fixed = readFileSync(path.join(s.workspace, EXAMPLE), 'utf8');
    assert.match(fixed, /m\.apply\(x, \{ training: false \}\)/, 'the fix is saved');
    // The panel compares the run before the fix with the run after it.
    const sides = await wb.compareView();
    log(`compare: ${sides.before} (${sides.rulesBefore.join(', ')}) | ${sides.after} (${sides.rulesAfter.join(', ')})`);
    assert.match(sides.before, /^batchnorm-mismatch\.js · /);
    assert.match(sides.after, /^batchnorm-mismatch\.js · /);
    assert.ok(sides.rulesBefore.includes('loss-gap') && !sides.rulesAfter.includes('loss-gap'), 'the gap before the fix, none after');
    await sides.frame.locator('#btn-close-compare').click();
    await wb.waitForPanelStatus('completed', 30_000);
    const losses = await wb.losses();
    assert.equal(losses.during?.full, losses.before?.full, `the panel shows no gap: ${JSON.stringify(losses)}`);
    const findings = await wb.findings();
    assert.ok(!findings.some((f) => f.rule === 'loss-gap'), `no loss-gap finding after the fix: ${findings.map((f) => f.rule)}`);
    await wb.clearNotifications();
  });

  sc.step('Ctrl-C in the terminal interrupts the script (SIGINT), as in a shell; the run ends as stopped', async (_s, wb) => {
    await wb.openFile('loops.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await until('the script\'s first line in the terminal', async () => /loops\.js: looping forever/.test(await wb.terminalText()), 60_000, 500);
    await wb.page.locator('.part.panel .terminal-wrapper.active .xterm-screen').click();
    await wb.page.keyboard.press('Control+C');
    await wb.waitForPanelStatus('cancelled', 30_000);
    const text = await until('the end line', async () => {
      const t = await wb.terminalText();
      return /loops\.js: cancelled after/.test(t) ? t : null;
    }, 15_000, 500);
    log(`terminal after Ctrl-C:\n${text.split('\n').slice(-4).join('\n')}`);
  });
});
