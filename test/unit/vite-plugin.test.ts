// The Vite plugin's hand-over of a module's tfjs to the agent (a module worker's tfjs is an instance of its own):
// what it imports is only what the module imports itself, and no line of the module moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachStatement } from '../../src/host/browser/vitePlugin.ts';

const imports = (statement: string | null) => [...(statement ?? '').matchAll(/from '([^']+)'/g)].map((m) => m[1]);

test('a module that imports the union package hands that over; one that imports core (and layers) hands those, and loads nothing more', () => {
  assert.deepEqual(imports(attachStatement(new Set(['@tensorflow/tfjs', './model.js']))), ['@tensorflow/tfjs']);
  assert.deepEqual(imports(attachStatement(new Set(['@tensorflow/tfjs-core']))), ['@tensorflow/tfjs-core']);
  assert.deepEqual(imports(attachStatement(new Set(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-webgl']))),
    ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']);
  assert.equal(attachStatement(new Set(['./model.js', '@tensorflow/tfjs-vis'])), null);
  assert.equal(attachStatement(new Set(['@tensorflow/tfjs-layers'])), null, 'layers alone: left to the module that imports core');
});

test('the statement is one line, so the module\'s lines (and its source map) stay as they were', () => {
  for (const set of [['@tensorflow/tfjs'], ['@tensorflow/tfjs-core'], ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']]) {
    const statement = attachStatement(new Set(set)) as string;
    assert.doesNotMatch(statement, /\n/);
    assert.match(statement, /globalThis\.__tfjsDebugger\?\.attach\(/);
  }
});
