// Hover Markdown, CodeLens titles and tree texts, from a real report. Names from the user's code are text:
// a layer named like Markdown or HTML renders as those characters, never as a link, an image or a command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { parseShowLayerArgs } from '../../src/extension/logic/messages.ts';
import { codeLensTitle, COMMANDS, escapeMarkdown, hasCodeLens, HOVER_COMMANDS, hoverMarkdown, lossTriple, runDescription } from '../../src/extension/logic/presentation.ts';
import { layerShare as attributionShare } from '../../src/model/views/shares.ts';
import { exampleReport } from '../helpers/cli.ts';
import { ReliabilitySection } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('hover');

const EVIL_NAMES = ['<img src=x onerror=alert(1)>', '[x](command:evil)', '[y]: command:evil2', '![i](https://e.x/i.png)', '$(bug) `code` *b* _i_ | pipe', 'a\n\n# heading'];


/** markdown-it (vsce's dependency) renders CommonMark like VS Code does, here with raw HTML allowed: the worst
 *  case. Without it (not installed), the checks on the Markdown source still run. */
const MarkdownIt = (() => {
  try {
    return createRequire(__filename)('markdown-it');
  } catch {
    return null;
  }
})();
function render(md: string): string | null {
  return MarkdownIt ? new MarkdownIt({ html: true, linkify: true }).render(md) : null;
}

test('markdown-it is there to render with', () => {
  assert.ok(MarkdownIt, 'markdown-it comes with @vscode/vsce');
});

/** Every link target in rendered HTML. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => m[1]);
}

doc.test('hover: one short block: modes inside and outside gradient calls, the worst finding\'s point, the numbers, a link to the panel', () => {
  const report = exampleReport();
  const bn = report.layers.find((l) => l.className === 'BatchNormalization')!;
  const md = hoverMarkdown(report, [bn], 'run-1');
  assert.match(md, /\*\*batch\\_normalization\\_BatchNormalization1\*\* · BatchNorm · behaves differently in training and inference/);
  assert.match(md, /Mode: training \\\(the one recorded call\\\) inside gradient calls · inference ×2 outside \(predict, evaluate, apply\)/);
  // The worst finding's point in one line, not the Problems text with its fix repeated.
  assert.match(md, /\$\(warning\) BatchNorm normalises with batch statistics inside the gradient call\\: loss \\-7\\\.5%/);
  assert.match(md, /and 2 more findings in Problems/);
  assert.ok(!/Fix/.test(md), 'no fix text: the code actions and Problems have it');
  assert.match(md, /this layer alone\\: all of the loss gap/);
  assert.match(md, /momentum 0\\\.99 \\\(tfjs\/Keras\\: moving keeps 99% per step\\\)/);
  assert.ok(md.split('\n\n').length <= 8, `short: ${md}`);
  const links = [...md.matchAll(/\]\((command:[^)]*)\)/g)].map((m) => m[1]);
  assert.ok(links.length >= 2);
  for (const link of links) {
    const [command, query] = link.slice('command:'.length).split('?');
    assert.ok(HOVER_COMMANDS.includes(command), `${command} is allow-listed`);
    if (command === COMMANDS.showLayer) assert.deepEqual(parseShowLayerArgs(JSON.parse(decodeURIComponent(query))[0]), { runId: 'run-1', layer: bn.id });
  }
  const html = render(md);
  if (html) {
    assert.ok(hrefs(html).every((h) => HOVER_COMMANDS.some((c) => h.startsWith(`command:${c}`))), hrefs(html).join(' '));
  }
  const commands = [...new Set(links.map((l) => l.slice('command:'.length).split('?')[0]))];
  return { tried: links.length, result: `${links.length} command links, to ${commands.join(', ')} only (the allow-list is ${HOVER_COMMANDS.join(', ')}); showLayer arguments pass its validator`, lost: 'nothing' };
}, { caseName: "hover Markdown trusted only for the extension's own commands, with validated arguments" });

doc.test('hover and CodeLens: layer names, class names and messages with Markdown or HTML in them stay text', () => {
  for (const evil of EVIL_NAMES) {
    const report = exampleReport();
    const bn = report.layers.find((l) => l.className === 'BatchNormalization')!;
    bn.name = evil;
    bn.className = evil;
    for (const f of report.findings) {
      f.rule = evil as typeof f.rule; // a report file can hold anything
      f.message = `message ${evil}`;
      f.fix = `fix ${evil}`;
    }
    const md = hoverMarkdown(report, [bn], 'run-1');
    assert.ok(!md.includes('<img'), md);
    assert.ok(!md.includes('](command:evil'), md);
    assert.ok(!/(^|[^\\])\$\(bug\)/.test(md), 'no theme icon from a name');
    assert.ok(!/^#/m.test(md), 'no heading from a name');
    const html = render(md);
    if (html) {
      assert.ok(!/<img/i.test(html), html);
      assert.ok(!/<h1/i.test(html));
      const targets = hrefs(html);
      assert.ok(targets.every((h) => HOVER_COMMANDS.some((c) => h.startsWith(`command:${c}`))), `${evil}: ${targets.join(' ')}`);
      if (evil.startsWith('<img')) assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'shown as text');
      if (evil.startsWith('[x]')) assert.ok(html.includes('[x](command:evil)'), 'shown as text');
    }
    const title = codeLensTitle(report, bn);
    assert.ok(!/\$\(bug\)/.test(title), title);
  }
  return { tried: EVIL_NAMES.length, result: `${EVIL_NAMES.length} hostile names (HTML, Markdown links, images, icons, headings) as layer, class, rule and message: text in the rendered hover and CodeLens, no link but the allow-listed commands`, lost: 'nothing' };
}, { caseName: 'hostile strings in hovers and CodeLens' });

test('escapeMarkdown: every Markdown and HTML special character is neutralised', () => {
  assert.equal(escapeMarkdown('[x](command:evil)'), '\\[x\\]\\(command\\:evil\\)');
  assert.equal(escapeMarkdown('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert\\(1\\)&gt;');
  assert.equal(escapeMarkdown('a_b*c`d|e'), 'a\\_b\\*c\\`d\\|e');
  assert.equal(escapeMarkdown('line1\nline2'), 'line1 line2');
});

test('CodeLens: class, mode in gradient calls, share of the gap in words; none on a line it would say nothing about', () => {
  const report = exampleReport();
  const bn = report.layers.find((l) => l.className === 'BatchNormalization')!;
  const conv = report.layers.find((l) => l.className === 'Conv2D')!;
  assert.equal(codeLensTitle(report, bn), '$(warning) BatchNorm · training in gradient calls · all of the loss gap');
  assert.ok(hasCodeLens(report, bn));
  assert.ok(!hasCodeLens(report, conv), 'a Conv2D with no finding and no share gets no CodeLens');
  report.gradientCalls[0].attribution = [{ layer: bn.id, deltaLoss: 0.1, share: 0.36 }];
  assert.equal(attributionShare(report, bn.id)?.share, 0.36);
  assert.equal(codeLensTitle(report, bn), '$(warning) BatchNorm · training in gradient calls · 36% of the loss gap');
  report.gradientCalls[0].attribution = [{ layer: bn.id, deltaLoss: 0.1, share: 1.33 }];
  assert.equal(codeLensTitle(report, bn), '$(warning) BatchNorm · training in gradient calls · all of the loss gap', 'never "133% of loss gap"');
  report.gradientCalls[0].attribution = [{ layer: bn.id, deltaLoss: -0.01, share: -0.03 }];
  assert.equal(codeLensTitle(report, bn), '$(warning) BatchNorm · training in gradient calls · almost none of the loss gap', 'never "-3%"');
  report.gradientCalls[0].attribution = [{ layer: bn.id, deltaLoss: -0.1, share: -0.3 }];
  assert.equal(codeLensTitle(report, bn), '$(warning) BatchNorm · training in gradient calls · narrows the loss gap');
  report.gradientCalls[0].attribution = null;
  report.findings = [];
  assert.equal(codeLensTitle(report, bn), 'BatchNorm · training in gradient calls');
  report.gradientCalls = [];
  report.layerTotals = [];
  assert.equal(codeLensTitle(report, bn), 'BatchNorm · inference ×2 outside gradient calls');
});

test('tree texts: before → during → after losses, run status', () => {
  const report = exampleReport();
  const call = report.gradientCalls[0];
  assert.match(lossTriple(call), /^\d+(\.\d+)? → \d+(\.\d+)? → \d+(\.\d+)?$/);
  assert.equal(lossTriple({ ...call, lossBefore: null, lossAfter: null }).split(' → ')[0], '—');
  assert.equal(runDescription('completed', 1, 3), 'completed · 1 gradient call · 3 findings');
  assert.equal(runDescription('running', 12, null), 'running · 12 gradient calls');
});
