// Location bookkeeping under edits: layer and finding places follow the code as the file is edited, go stale
// when their code is replaced, and are checked against the file's text after a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileKey, LocationTracker, movePosition, parseTrackedAnchors, type TextChange } from '../../src/extension/logic/locations.ts';
import { layersInFile, layersOnLine, problemsByFile } from '../../src/extension/logic/sourceIndex.ts';
import { exampleReport, lineOf, ROOT } from '../helpers/cli.ts';

const EXAMPLE = path.join(ROOT, 'examples', 'batchnorm-mismatch.js');

/** A change as VS Code reports it: 0-based range, replacement text. */
function change(startLine: number, startChar: number, endLine: number, endChar: number, text: string): TextChange {
  return { range: { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } }, text };
}

/** Applies changes to a text the way the editor does, so tests can check positions against real text. */
function applyText(text: string, changes: TextChange[]): string {
  for (const c of changes) {
    const lines = text.split('\n');
    const offset = (l: number, ch: number) => lines.slice(0, l).reduce((n, s) => n + s.length + 1, 0) + ch;
    text = text.slice(0, offset(c.range.start.line, c.range.start.character)) + c.text + text.slice(offset(c.range.end.line, c.range.end.character));
  }
  return text;
}

function reader(text: string) {
  const lines = text.split('\n');
  return (line: number) => (line >= 1 && line <= lines.length ? lines[line - 1] : undefined);
}


test('movePosition: before, after, on the same line, inside a replaced range, at an insertion point', () => {
  const p = { line: 5, character: 12 };
  assert.deepEqual(movePosition(p, change(7, 0, 7, 0, 'x\n')), p, 'edits below do not move it');
  assert.deepEqual(movePosition(p, change(2, 0, 2, 0, 'a\nb\n')), { line: 7, character: 12 }, 'two lines inserted above');
  assert.deepEqual(movePosition(p, change(1, 0, 3, 0, '')), { line: 3, character: 12 }, 'two lines deleted above');
  assert.deepEqual(movePosition(p, change(5, 0, 5, 4, '')), { line: 5, character: 8 }, 'text removed before it on its line');
  assert.deepEqual(movePosition(p, change(5, 12, 5, 12, '  ')), { line: 5, character: 14 }, 'text inserted at it pushes it along');
  assert.deepEqual(movePosition(p, change(5, 20, 5, 25, 'abc')), p, 'edits after it on its line do not move it');
  assert.deepEqual(movePosition(p, change(5, 0, 5, 0, 'foo\n')), { line: 6, character: 12 }, 'a line inserted at the start of its line');
  assert.deepEqual(movePosition(p, change(4, 3, 5, 2, 'Z')), { line: 4, character: 14 }, 'lines joined: moves onto the line above');
  assert.equal(movePosition(p, change(5, 10, 5, 14, '')), null, 'its code replaced');
  assert.equal(movePosition(p, change(4, 0, 6, 0, '')), null, 'its line deleted');
  assert.equal(movePosition(p, change(5, 12, 5, 13, 'x')), null, 'the range starting at it replaced');
  assert.deepEqual(movePosition(p, change(5, 0, 5, 12, '')), { line: 5, character: 0 }, 'the range ending at it: it survives');
});

test('tracking follows the code through a sequence of real edits, checked against the edited text', () => {
  let text = ['const a = 1;', 'const m = tf.sequential({ layers: [', '  tf.layers.batchNormalization({}),', '  tf.layers.dense({ units: 1 }),', '] });'].join('\n');
  const file = '/w/train.js';
  const tracker = new LocationTracker();
  const bn = { file, line: 3, column: 3 };
  const dense = { file, line: 4, column: 3 };
  tracker.locate(bn);
  tracker.locate(dense);
  const edits: TextChange[][] = [
    [change(0, 0, 0, 0, '// header\n// more\n')],
    [change(4, 2, 4, 2, '/* x */ ')],
    // Two cursors, in the order VS Code sends them (bottom first).
    [change(5, 0, 5, 0, '\n'), change(1, 0, 1, 0, '\n')],
  ];
  for (const e of edits) {
    tracker.applyChanges(file, e, reader(applyText(text, e)));
    text = applyText(text, e);
  }
  const lines = text.split('\n');
  const at = (loc: { line: number; column: number } | null) => loc && lines[loc.line - 1].slice(loc.column - 1);
  assert.match(at(tracker.locate(bn)) ?? '', /^tf\.layers\.batchNormalization/);
  assert.match(at(tracker.locate(dense)) ?? '', /^tf\.layers\.dense/);
  // Replacing the dense layer's line makes it stale; BatchNorm stays.
  const denseNow = tracker.locate(dense)!;
  assert.ok(tracker.applyChanges(file, [change(denseNow.line - 1, 0, denseNow.line, 0, '')]));
  assert.equal(tracker.locate(dense), null);
  assert.ok(tracker.locate(bn));
  // Another file's edits change nothing here.
  assert.equal(tracker.applyChanges('/w/other.js', [change(0, 0, 0, 0, '\n\n')]), false);
});

test('a place first asked for after edits is mapped through them', () => {
  const tracker = new LocationTracker();
  tracker.applyChanges('/w/a.js', [change(0, 0, 0, 0, 'x\ny\n')]);
  tracker.applyChanges('/w/a.js', [change(10, 0, 11, 0, '')]);
  assert.deepEqual(tracker.locate({ file: '/w/a.js', line: 5, column: 2 }), { file: '/w/a.js', line: 7, column: 2 });
  // Line 9 became line 11, which the second edit deleted; line 10 became 12 and then 11.
  assert.equal(tracker.locate({ file: '/w/a.js', line: 9, column: 1 }), null);
  assert.deepEqual(tracker.locate({ file: '/w/a.js', line: 10, column: 1 }), { file: '/w/a.js', line: 11, column: 1 });
});

test('after a reload: saved places are checked against the text, moved to where their line went, or dropped', () => {
  const original = ['a', 'b', '  layerOne(),', 'c', '  layerTwo(),', 'd'].join('\n');
  const file = '/w/m.js';
  const tracker = new LocationTracker();
  const one = { file, line: 3, column: 3 };
  const two = { file, line: 5, column: 3 };
  tracker.locate(one);
  tracker.locate(two);
  tracker.verify(file, reader(original)); // remembers the lines' text
  const saved = parseTrackedAnchors(JSON.parse(JSON.stringify(tracker.save())));
  assert.equal(saved.length, 2);

  // Edited while VS Code was closed: two lines inserted at the top, layerTwo's line removed.
  const edited = ['new1', 'new2', 'a', 'b', '  layerOne(),', 'c', 'd'].join('\n');
  const reloaded = new LocationTracker();
  reloaded.reset(saved);
  assert.equal(reloaded.verify(file, reader(edited)), true);
  assert.deepEqual(reloaded.locate(one), { file, line: 5, column: 3 });
  assert.equal(reloaded.locate(two), null);
  // Unchanged text: nothing moves.
  const same = new LocationTracker();
  same.reset(saved);
  assert.equal(same.verify(file, reader(original)), false);
  assert.deepEqual(same.locate(two), two);
  assert.deepEqual(parseTrackedAnchors([{ file: 1 }, { file: 'x', line: 0, column: 1, current: null }, 'junk']), []);
});

test('an edit on a tracked line updates the text remembered for it, so a later check keeps it', () => {
  const file = '/w/e.js';
  let text = ['x', '  tf.layers.dense({ units: 1 }),'].join('\n');
  const tracker = new LocationTracker();
  const loc = { file, line: 2, column: 3 };
  tracker.locate(loc);
  tracker.verify(file, reader(text));
  const e = [change(1, 28, 1, 29, '8')];
  text = applyText(text, e);
  tracker.applyChanges(file, e, reader(text));
  assert.equal(tracker.verify(file, reader(text)), false);
  assert.deepEqual(tracker.locate(loc), loc);
});

test('fileKey: Windows drive letters and separators compare equal; POSIX paths unchanged', () => {
  assert.equal(fileKey('C:\\w\\a.js'), fileKey('c:/w/a.js'));
  assert.equal(fileKey('/w/a.js'), '/w/a.js');
});

test('real report: layers and findings land on the example\'s lines, and follow an edit above them', () => {
  const report = exampleReport();
  const tracker = new LocationTracker();
  const bnLine = lineOf(EXAMPLE, 'batchNormalization(');
  const onLine = layersOnLine(report, tracker, EXAMPLE, bnLine);
  assert.deepEqual(onLine.map((p) => p.layer.className), ['BatchNormalization']);
  const inFile = layersInFile(report, tracker, EXAMPLE);
  assert.deepEqual(inFile.map((p) => p.layer.className), ['Sequential', 'BatchNormalization', 'Conv2D']);
  const problems = problemsByFile(report, tracker).get(fileKey(EXAMPLE)) ?? [];
  const gap = problems.find((p) => p.code === 'loss-gap');
  assert.deepEqual(gap && [gap.severity, gap.at.line], ['warning', bnLine]);
  // The point in one line; the gradient call and the fix are details (related information).
  assert.equal(gap?.message, 'BatchNorm normalises with batch statistics inside the gradient call: loss -7.5%');
  assert.match(gap?.details.map((d) => d.message).join(' | ') ?? '', /^Gradient call #1 \(variableGrads\): loss 36\.6356 inside, 39\.6157 in inference mode, 39\.585 after \| Fix: /);
  assert.equal(problems.length, report.findings.length, 'every finding of the example is about this file');

  // Three lines inserted above the model: everything moves down by three, checked against the text.
  const text = readFileSync(EXAMPLE, 'utf8');
  const edit = [change(1, 0, 1, 0, '// a\n// b\n// c\n')];
  const edited = applyText(text, edit);
  tracker.applyChanges(EXAMPLE, edit, reader(edited));
  assert.deepEqual(layersOnLine(report, tracker, EXAMPLE, bnLine + 3).map((p) => p.layer.className), ['BatchNormalization']);
  assert.equal(layersOnLine(report, tracker, EXAMPLE, bnLine).length, 0);
  assert.equal(problemsByFile(report, tracker).get(fileKey(EXAMPLE))?.find((p) => p.code === 'loss-gap')?.at.line, bnLine + 3);
  assert.match(edited.split('\n')[bnLine + 2], /batchNormalization\(/);
});

test('diagnostic messages keep to the first sentence of the finding and of its fix', async () => {
  const { firstSentence } = await import('../../src/extension/logic/sourceIndex.ts');
  assert.equal(firstSentence('The loss was 0.5 in call 1. Layers caused it.'), 'The loss was 0.5 in call 1.');
  assert.equal(firstSentence('mean 0.51σ away (call 1). More.'), 'mean 0.51σ away (call 1).');
  assert.equal(firstSentence('no period at all'), 'no period at all');
});
