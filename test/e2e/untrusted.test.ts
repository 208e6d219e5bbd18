// Scenario 6: a workspace that is not trusted (trust enabled, no startup prompt, the folder never trusted):
// debugging a script is refused with an explanation, and probing a model.json works.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { scenario } from './suite.ts';
import { until } from './workbench.ts';

describe('an untrusted workspace', () => {
  const sc = scenario({ name: 'untrusted', trusted: false });

  sc.step('6a. the window is in Restricted Mode and the sidebar says why scripts cannot run', async (_s, wb) => {
    await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await wb.openDebuggerSidebar();
    const welcome = await until('the Runs view welcome text', async () => {
      const t = await wb.page.locator('.part.sidebar .welcome-view-content').first().innerText().catch(() => '');
      return /not trusted/.test(t) ? t : null;
    }, 20_000);
    assert.match(welcome, /Probing a saved model/);
  });

  sc.step('6b. Debug Training Script is refused with an explanation; no run starts', async (_s, wb) => {
    await wb.openFile('batchnorm-mismatch.js');
    await wb.runCommand('TF.js Debugger: Debug Training Script');
    const note = await wb.waitForNotification(/did not run the script/);
    assert.match(note, /not trusted/);
    assert.match(note, /Probing a saved model \(model\.json\) still works/);
    assert.match(note, /\[Manage Workspace Trust\]/);
    await wb.page.waitForTimeout(1500);
    const status = await wb.panelStatusNow();
    assert.ok(status === null || status === 'none', `no run was shown (panel status ${status})`);
    await wb.clearNotifications();
  });

  sc.step('6c. Probe Saved Model works', async (_s, wb) => {
    await wb.openFile('bn-dropout/model.json');
    await wb.runCommand('TF.js Debugger: Probe Saved Model');
    await wb.acceptQuickPick('Synthetic batch');
    await wb.waitForPanelStatus('completed', 120_000);
    const rows = await wb.layerTable();
    assert.ok(rows.some((r) => r.name === 'bn'), `the probe lists the model's layers: ${JSON.stringify(rows.map((r) => r.name))}`);
  });
});
