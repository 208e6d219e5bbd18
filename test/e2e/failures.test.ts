// Scenario 5: a script that throws shows its error with the user's file and line in the panel and in a
// notification; a script that loops forever is ended by Stop (the panel says so and its runner process is gone), and the next run works; Export Report
// writes only the file chosen in the save dialog (nothing when it is cancelled); reloading the window while a
// script loops kills its runner.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { log } from './harness.ts';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('e2e-failures');

/** Every file under a folder, with its size and mtime, to see what a command wrote. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        files.set(p, `${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return files;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([f, v]) => before.get(f) !== v).map(([f]) => f).concat([...before.keys()].filter((f) => !after.has(f)));
}

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

  doc.declare('Stop in VS Code on a script looping forever');
  doc.declare('Export Report: save dialog cancelled');
  doc.declare('Export Report: the file chosen in the save dialog');
  doc.declare('reload the window while a script loops');

  sc.step('5b. a script that loops forever: Stop ends it and its process; the next run works', async (s, wb) => doc.run('Stop in VS Code on a script looping forever', async () => {
    await wb.openFile('loops.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('running', 60_000);
    const script = path.join(s.workspace, 'loops.js');
    // The runner is up and spinning in the user's loop.
    await until('the runner process for loops.js', () => processesRunning(script).length > 0, 30_000);
    // Its print is in the TF.js Debugger terminal, which a run shows.
    await until('the loop to print', async () => /looping forever/.test(await wb.terminalText()) || null, 30_000, 500)
      .catch(() => log('(the terminal did not show the loop\'s line yet; stopping anyway)'));
    const stop = (await wb.panelFrame()).locator('#btn-stop');
    await stop.waitFor({ state: 'visible', timeout: 10_000 });
    const t0 = Date.now();
    await stop.click();
    await wb.waitForPanelStatus('cancelled', 10_000);
    const stoppedIn = Date.now() - t0;
    await until('the runner process to be gone', () => processesRunning(script).length === 0, 10_000, 50);
    const goneIn = Date.now() - t0;
    log(`Stop: panel says stopped after ${stoppedIn} ms, runner process gone after ${goneIn} ms`);

    await wb.openFile('batchnorm-mismatch.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    await wb.waitForPanelStatus('completed', 120_000);
    const findings = await wb.findings();
    assert.ok(findings.some((f) => f.rule === 'loss-gap'), 'the next run completes with its findings');
    return { tried: 1, result: `panel said stopped after ${stoppedIn} ms, runner process gone after ${goneIn} ms; the next run completed`, lost: 'nothing' };
  }));

  sc.step('5c. Export Report: nothing is written when the save dialog is cancelled; only the chosen file when it is not', async (s, wb) => {
    const before = snapshot(s.workspace);
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await doc.run('Export Report: save dialog cancelled', async () => {
      await wb.runCommand('TF.js Debugger: Export Report…');
      await wb.acceptQuickPick('JSON');
      // The save dialog (code-server's simple file dialog) offers the suggested path; Escape cancels it.
      await until('the save dialog', async () => /batchnorm-mismatch\.tfjs-debug\.json$/.test(await input.inputValue().catch(() => '')) || null, 15_000);
      await wb.page.keyboard.press('Escape');
      await wb.page.waitForTimeout(1500);
      const diff = changed(before, snapshot(s.workspace));
      assert.deepEqual(diff, [], 'nothing written');
      return { tried: 1, result: `cancelled in the save dialog: ${diff.length} files written or changed in the workspace`, lost: 'nothing' };
    });
    await doc.run('Export Report: the file chosen in the save dialog', async () => {
      const chosen = path.join(s.workspace, 'chosen-name.json');
      await wb.runCommand('TF.js Debugger: Export Report…');
      await wb.acceptQuickPick('JSON');
      await until('the save dialog', async () => /\.json$/.test(await input.inputValue().catch(() => '')) || null, 15_000);
      await input.fill(chosen);
      await wb.page.keyboard.press('Enter');
      await until('the report file', () => existsSync(chosen) || null, 15_000);
      await wb.page.waitForTimeout(1000);
      const diff = changed(before, snapshot(s.workspace));
      assert.deepEqual(diff, [chosen], 'exactly the chosen file, nothing next to the script');
      const report = JSON.parse(readFileSync(chosen, 'utf8'));
      assert.equal(report.status, 'completed');
      await wb.clearNotifications();
      return { tried: 1, result: `written: ${path.basename(chosen)} only (${diff.length} file changed in the workspace), a completed report with ${report.gradientCalls.length} gradient call`, lost: 'nothing' };
    });
  });

  sc.step('5d. reload the window while a script loops: the runner is killed', async (s, wb) => doc.run('reload the window while a script loops', async () => {
    await wb.openFile('loops.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    const script = path.join(s.workspace, 'loops.js');
    const pids = await until('the runner process for loops.js', () => { const p = processesRunning(script); return p.length ? p : null; }, 60_000);
    const t0 = Date.now();
    await wb.runCommand('Developer: Reload Window');
    await until('the runner process to be gone', () => processesRunning(script).length === 0, 15_000, 50);
    const goneIn = Date.now() - t0;
    await s.waitForWorkbench();
    log(`Reload: runner ${pids.join(', ')} gone ${goneIn} ms after the reload command`);
    return { tried: 1, result: `runner PID ${pids.length === 1 ? '' : 's '}gone ${goneIn} ms after Reload Window (the extension host deactivates)`, lost: 'the stopped run only, as a reload ends it' };
  }));
});
