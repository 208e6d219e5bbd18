// Writes the Get Started walkthrough (media/walkthrough/*.md) from a real run of the example: the example is
// copied to a temporary folder (no node_modules above it, so the debugger's bundled tfjs runs it, as it does for
// a user who clicks Open Example), debugged with the CLI, fixed with the quick fix the extension offers, and run
// again; every number in the pages comes from those two runs. The screenshots are the ones the end-to-end tests
// take of the same steps (docs/screenshots/e2e-*.png), copied beside the pages.
//
//   node --import tsx scripts/walkthrough.ts           write the pages
//   node --import tsx scripts/walkthrough.ts --check   exit 1 when the pages differ from what a run gives
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunReport } from '../src/protocol/report.ts';
import { applyEdits, fixesFor } from '../src/fixes/sourceFixes.ts';
import { findingPoint } from '../src/extension/logic/findingText.ts';
import { compareRuns } from '../src/extension/logic/fixComparison.ts';
import { loss, relativeChange } from '../src/model/format.ts';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'media', 'walkthrough');
const EXAMPLE = 'batchnorm-mismatch.js';
const SCREENSHOTS: Record<string, string> = { 'e2e-panel.png': 'panel.png', 'e2e-hover.png': 'hover.png', 'e2e-quick-fix.png': 'quick-fix.png' };

function debug(file: string): { report: RunReport; printout: string } {
  const json = path.join(path.dirname(file), 'report.json');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tfjs-debug.js'), 'run', file, '--json', json], { cwd: path.dirname(file), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the example run failed (${r.status}): ${r.stderr}`);
  // The script's own lines (the CLI's summary follows them on stdout; its timings change from run to run).
  const printout = r.stdout.split('\n').filter((l) => /^(initial loss|loss calculated in gradient|final loss): /.test(l)).join('\n');
  return { report: JSON.parse(readFileSync(json, 'utf8')) as RunReport, printout };
}

export function walkthroughPages(): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-walkthrough-'));
  try {
    const file = path.join(dir, EXAMPLE);
    const source = readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8');
    writeFileSync(file, source);
    const before = debug(file);
    const r = before.report;
    const call = r.gradientCalls[0];
    const gap = r.findings.find((f) => f.rule === 'loss-gap');
    if (!gap || !call) throw new Error('the example no longer shows a loss gap');
    const fix = fixesFor(gap, r, file, source)[0];
    if (!fix) throw new Error('the example\'s loss gap has no quick fix');
    writeFileSync(file, applyEdits(source, fix.edits));
    const after = debug(file);
    const comparison = compareRuns(r, after.report);
    const backend = `${r.tfjs?.backend ?? 'unknown'} backend, tfjs ${r.tfjs?.version ?? ''}`.trim();
    const lines = source.split('\n');
    const bnLine = lines.findIndex((l) => l.includes('batchNormalization(')) + 1;
    const shot = (name: string, alt: string) => (existsSync(path.join(OUT, name)) ? `\n![${alt}](${name})\n` : '');

    const openExample = `# Open the example

**Open Example** copies \`${EXAMPLE}\` into the workspace folder, opens it and debugs it. It builds a model with
BatchNormalization and takes one gradient call:

\`\`\`js
${lines.slice(lines.findIndex((l) => l.includes('tf.sequential')), lines.findIndex((l) => l.includes('const lFinal')) + 1).join('\n')}
\`\`\`

It prints three different losses for the same weights and the same input (${backend}):

\`\`\`text
${before.printout}
\`\`\`

The script needs no \`npm install\`: when the folder has no \`@tensorflow/tfjs\`, the debugger's bundled copy runs it.
`;

    const debugPage = `# Debug a training script

Run **TF.js Debugger: Debug Training Script** from the ▷ button in the editor title, the file's context menu, the
command palette (the active file, or one of the workspace's scripts, the ones you debugged lately first), or
press **F5** with a \`"type": "tfjs-debug"\` launch configuration.

The script runs **unchanged**, in its own process, with tfjs instrumented. Its prints go to the
**TF.js Debugger** terminal (Ctrl-C there interrupts it, as in a shell). For the example, gradient call #${call.index}
(\`${call.api}\` at line ${call.source?.line ?? '?'}) gives:

| loss | value | how |
| --- | ---: | --- |
| before | ${loss(call.lossBefore)} | the loss closure re-run with every layer in inference mode |
| during | ${loss(call.lossDuring)} | the value the gradient call computed |
| after | ${loss(call.lossAfter)} | as before, once the call returned: BatchNorm's moving statistics moved |
${shot('panel.png', 'The TF.js Debugger panel after debugging the example')}
A web page that trains with tfjs is debugged the same way: **Debug Training Page…** (a URL, an \`.html\` file or a
Vite app's folder). A saved model can be checked without running any code: **Probe Saved Model** on a
\`model.json\`, which also works in a workspace you have not trusted.
`;

    const readFinding = `# Read the finding and fix it

The debugger puts the finding on the line that built the layer (line ${bnLine}). The Problems row starts with the point:

> ${findingPoint(r, gap)}

Hover the line for the layer's modes, the numbers behind the finding and a link to the panel:
${shot('hover.png', 'The hover on the batchNormalization line')}
Press **Ctrl+.** on the line: the quick fix says what it does, **${fix.title}**, and its twin
**${fix.title}, then re-run and compare** applies it, runs the script again and shows both runs:
${shot('quick-fix.png', 'The quick fixes on the batchNormalization line')}
> ${comparison.headline}

Before the fix the loss inside the gradient call was ${loss(call.lossDuring)} against ${loss(call.lossBefore)} in
inference mode (${relativeChange(call.lossBefore, call.lossDuring)}); after it, both are ${loss(after.report.gradientCalls[0]?.lossBefore)}.
Whether that is the right fix depends on the model: in training mode BatchNormalization normalises with the
batch's statistics and moves its moving statistics (tfjs momentum ${r.gradientCalls[0].layers.find((l) => l.batchNorm)?.batchNorm?.momentum ?? 0.99}, Keras convention:
\`moving ← moving − (moving − batch)·(1 − momentum)\`). To train it, judge the model by its inference-mode loss
(\`model.evaluate\`, or the loss of \`model.predict\`) instead.
`;
    return { 'open-example.md': openExample, 'debug.md': debugPage, 'read-finding.md': readFinding };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  if (!check) {
    for (const [from, to] of Object.entries(SCREENSHOTS)) {
      const src = path.join(ROOT, 'docs', 'screenshots', from);
      if (existsSync(src)) copyFileSync(src, path.join(OUT, to));
    }
  }
  let stale = 0;
  for (const [name, text] of Object.entries(walkthroughPages())) {
    const file = path.join(OUT, name);
    const now = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (now === text) continue;
    stale++;
    if (check) console.error(`${path.relative(ROOT, file)} differs from what the example gives now`);
    else writeFileSync(file, text);
  }
  if (check && stale) process.exit(1);
  console.log(check ? 'walkthrough: up to date' : `walkthrough: ${stale} page(s) written`);
}
