// Scenario 5: a script that throws shows its error with the user's file and line in the panel and in a
// notification; a script that loops forever is ended by Stop within 2 s, and the next run works.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { log } from './harness.ts';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';

const THROWS = readFileSync(path.join(__dirname, 'fixtures', 'workspace', 'throws.js'), 'utf8').split('\n');
const THROW_LINE = THROWS.findIndex((l) => l.includes('throw new Error')) + 1;
const MESSAGE = 'batch file data/train-000.bin is missing';

/** PIDs of processes whose command line mentions text (the runner runs the user's script by path). */
function processesRunning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

describe('scripts that fail or never end', () => {
  const sc = scenario({ name: 'failures' });

  sc.step('5a. a script that throws: the panel and a notification show the error at the user\'s file and line', async (_s, wb) => {
    await wb.openFile('throws.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('failed', 120_000);
    const banner = await wb.panelText('#error-banner');
    assert.ok(banner, 'the panel shows an error banner');
    assert.match(banner, new RegExp(MESSAGE.replace(/[./]/g, '\\$&')));
    assert.match(banner, new RegExp(`throws\\.js:${THROW_LINE}\\b`), `the banner names throws.js:${THROW_LINE}: ${banner}`);
    const note = await wb.waitForNotification(/throws\.js.*failed/);
    assert.match(note, new RegExp(`throws\\.js:${THROW_LINE}\\b`), `the notification names the line: ${note}`);
    assert.match(note, /batch file data\/train-000\.bin is missing/);
    assert.match(note, /\[Go to Error\]/, `with a Go to Error button: ${note}`);
    // Go to Error opens the line.
    await wb.page.locator('.notifications-toasts .notification-toast .monaco-button', { hasText: 'Go to Error' }).first().click();
    await until(`the cursor on throws.js:${THROW_LINE}`, async () => (await wb.activeTabName()) === 'throws.js' && (await wb.cursor())?.line === THROW_LINE, 15_000);
    await wb.clearNotifications();
  });

  sc.step('5b. a script that loops forever: Stop ends it within 2 s; the next run works', async (s, wb) => {
    await wb.openFile('loops.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('running', 60_000);
    const script = path.join(s.workspace, 'loops.js');
    // The runner is up and spinning in the user's loop.
    await until('the runner process for loops.js', () => processesRunning(script).length > 0, 30_000);
    await until('the loop to print', async () => /looping forever/.test(s.outputChannelLog('TF.js Debugger')) || null, 30_000, 500)
      .catch(() => log('(the output channel log file did not show the loop\'s line yet; stopping anyway)'));
    const stop = (await wb.panelFrame()).locator('#btn-stop');
    await stop.waitFor({ state: 'visible', timeout: 10_000 });
    const t0 = Date.now();
    await stop.click();
    await wb.waitForPanelStatus('cancelled', 10_000);
    const stoppedIn = Date.now() - t0;
    await until('the runner process to be gone', () => processesRunning(script).length === 0, 10_000, 50);
    const goneIn = Date.now() - t0;
    log(`Stop: panel says stopped after ${stoppedIn} ms, runner process gone after ${goneIn} ms`);
    assert.ok(stoppedIn <= 2000, `the panel shows the run stopped within 2 s (${stoppedIn} ms)`);
    assert.ok(goneIn <= 2000, `the runner process is gone within 2 s (${goneIn} ms)`);

    await wb.openFile('batchnorm-mismatch.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('completed', 120_000);
    const findings = await wb.findings();
    assert.ok(findings.some((f) => f.rule === 'loss-gap'), 'the next run completes with its findings');
  });
});
