// Scenario 4: Probe Saved Model on a model.json (synthetic batch), then a hover on a layer's "name" in the
// model.json shows what the probe saw.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe } from 'node:test';
import { ROOT } from './harness.ts';
import { scenario } from './suite.ts';

const MODEL = readFileSync(path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout', 'model.json'), 'utf8').split('\n');
/** The line of the BatchNorm layer's "name" in the model.json (1-based). */
const BN_NAME_LINE = MODEL.findIndex((l) => /"name": "bn"/.test(l)) + 1;

describe('probing a saved model', () => {
  const sc = scenario({ name: 'probe-model' });

  sc.step('4. Probe Saved Model on model.json: the panel shows the layers; a hover on a layer name in model.json', async (_s, wb) => {
    assert.ok(BN_NAME_LINE > 0, 'the fixture names its BatchNorm layer "bn"');
    await wb.openFile('bn-dropout/model.json');
    await wb.runCommand('TF.js Debugger: Probe Saved Model');
    // The extension asks what to feed the model.
    await wb.acceptQuickPick('Synthetic batch');
    await wb.waitForPanelStatus('completed', 120_000);
    const header = await wb.panelText('#run-header');
    assert.match(header ?? '', /model\.json/);
    const rows = await wb.layerTable();
    const bn = rows.find((r) => r.name === 'bn');
    assert.ok(bn, `the layer table lists "bn": ${JSON.stringify(rows.map((r) => r.name))}`);
    assert.match(bn.className, /BatchNormalization/);
    assert.ok(rows.some((r) => r.name === 'drop' && /Dropout/.test(r.className)), 'and the Dropout layer');
    assert.match(bn.source, new RegExp(`${BN_NAME_LINE}`), `its source is the "name" line of model.json: ${bn.source}`);
    const losses = await wb.losses();
    assert.ok(Number.isFinite(Number(losses.before?.full)) && Number.isFinite(Number(losses.during?.full)), `probed losses: ${JSON.stringify(losses)}`);

    await wb.openFile('bn-dropout/model.json');
    // The Problems entries for the line come first in the hover; wait for the debugger's own part.
    const hover = await wb.hoverText(BN_NAME_LINE, 'bn"', /inside gradient calls/, 30_000);
    assert.match(hover, /\bbn · BatchNorm · behaves differently in training and inference/);
    assert.match(hover, /Mode: training \(the one recorded call\) inside gradient calls/, `the hover gives the mode in the probe's gradient call: ${hover}`);
    assert.match(hover, /momentum \d/);
  });
});
