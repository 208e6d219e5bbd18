// The layers hold because lint enforces them (eslint.config.mjs): a file that imports across a layer, or imports
// vscode, tfjs or a Node module where it may not, fails lint. Checked with ESLint's API on files written into each
// part's folder (npm run lint checks the real tree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..');

/** Lints `code` as a new file in `folder` of the repository (written there, then removed). */
async function lintAs(folder: string, code: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(ROOT, folder, 'lint-probe-'));
  const file = path.join(dir, 'probe.ts');
  try {
    writeFileSync(file, code);
    const [result] = await new ESLint({ cwd: ROOT }).lintFiles([file]);
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('lint rejects an import that crosses a layer', async () => {
  const cases: [folder: string, code: string, reason: RegExp][] = [
    ['src/model', "import * as vscode from 'vscode';\nexport const v = vscode;\n", /only src\/extension imports vscode/],
    ['src/model', "import * as tf from '@tensorflow/tfjs-core';\nexport const t = tf;\n", /only src\/engine touches tfjs/],
    ['src/model', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", /no Node module/],
    ['src/protocol', "import { path } from 'path';\nexport const p = path;\n", /no Node module/],
    ['src/model', "import { diagnose } from '../../host/liveReport.ts';\nexport const d = diagnose;\n", /host is not for this part/],
    ['src/cli', "import { instrument } from '../../engine/instrument.ts';\nexport const i = instrument;\n", /only src\/runner and src\/page load the engine/],
    ['src/extension', "import { instrument } from '../../engine/instrument.ts';\nexport const i = instrument;\n", /only src\/runner and src\/page load the engine/],
    ['src/extension/logic', "import * as vscode from 'vscode';\nexport const v = vscode;\n", /vscode-free part of the extension/],
    ['webview', "import { launchRunner } from '../../src/host/launch.ts';\nexport const l = launchRunner;\n", /host is not for this part/],
    ['webview', "import { RunStore } from '../../src/extension/logic/runStore.ts';\nexport const r = RunStore;\n", /extension is not for this part/],
  ];
  for (const [folder, code, reason] of cases) {
    const messages = await lintAs(folder, code);
    assert.equal(messages.length, 1, `${folder}: ${code.split('\n')[0]} → ${JSON.stringify(messages)}`);
    assert.match(messages[0], reason);
  }
});

test('lint lets each part import what is below it', async () => {
  const allowed: [folder: string, code: string][] = [
    ['src/runner', "import { instrument } from '../../engine/instrument.ts';\nexport const i = instrument;\n"],
    ['src/extension', "import * as vscode from 'vscode';\nimport { LiveReport } from '../../host/liveReport.ts';\nexport const v = [vscode, LiveReport];\n"],
    ['webview', "import { applyReportUpdate } from '../../src/model/reportUpdate.ts';\nimport { PAGE_IDS } from '../../src/shell/html.ts';\nexport const a = [applyReportUpdate, PAGE_IDS];\n"],
  ];
  for (const [folder, code] of allowed) assert.deepEqual(await lintAs(folder, code), [], `${folder}: ${code}`);
});
