// "tfjs-debug" launch configurations: what they may say, and the run request each makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultLaunchConfig, requestFromLaunchConfig, SETTING_ATTRIBUTES } from '../../src/extension/logic/launchConfig.ts';
import { readSettings } from '../../src/extension/logic/settings.ts';
import { ROOT } from '../helpers/cli.ts';

const WS = '/ws';
const folders = new Set(['/ws/app']);
const make = (config: Record<string, unknown>) => requestFromLaunchConfig({ type: 'tfjs-debug', request: 'launch', name: 'x', ...config }, WS, (p) => folders.has(p));

test('a script: program, args, env, cwd (relative to the workspace), probe settings for that run', () => {
  const r = make({ program: 'train.js', args: ['--epochs', '2'], env: { SEED: '1' }, probeEvery: 1, attribution: 'always' });
  assert.ok('request' in r);
  assert.deepEqual(r.request, { kind: 'script', target: '/ws/train.js', args: ['--epochs', '2'], cwd: WS, env: { SEED: '1' }, settings: { probeEvery: 1, attribution: 'always' } });
  // The settings go through the same checks as the workspace's.
  const s = readSettings((key) => r.request.settings?.[key]);
  assert.equal(s.probeEvery, 1);
  assert.equal(s.attribution, 'always');
  const cwd = make({ program: '/abs/t.ts', cwd: 'sub' });
  assert.ok('request' in cwd && cwd.request.cwd === '/ws/sub' && cwd.request.target === '/abs/t.ts');
});

test('a page: a URL, an .html file, or a Vite app\'s folder', () => {
  const url = make({ url: 'http://localhost:5173/train' });
  assert.ok('request' in url);
  assert.deepEqual(url.request, { kind: 'page', target: 'http://localhost:5173/train', args: [], cwd: WS, pageRoot: WS });
  const html = make({ url: 'page/index.html' });
  assert.ok('request' in html && html.request.target === '/ws/page/index.html' && html.request.pageRoot === '/ws/page');
  const app = make({ url: 'app' });
  assert.ok('request' in app && app.request.viteApp === '/ws/app');
  const bad = make({ url: 'notes.txt' });
  assert.ok('error' in bad && /an http\(s\) URL, an \.html file or a Vite app's folder/.test(bad.error));
});

test('what a configuration may not say, with the reason', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /needs either "program".* not neither/],
    [{ program: 'a.js', url: 'http://x' }, /not both/],
    [{ program: 'a.js', args: 'one' }, /"args" must be an array of strings/],
    [{ program: 'a.js', env: { A: 1 } }, /"env" must be an object of strings/],
    [{ program: 'a.js', cwd: 3 }, /"cwd" must be a folder path/],
  ];
  for (const [config, why] of cases) {
    const r = make(config);
    assert.ok('error' in r && why.test(r.error), `${JSON.stringify(config)}: ${JSON.stringify(r)}`);
  }
});

test('F5 without launch.json: the active script, nothing for other files', () => {
  assert.deepEqual(defaultLaunchConfig('/ws/train.ts'), { type: 'tfjs-debug', request: 'launch', name: 'Debug train.ts with TF.js Debugger', program: '/ws/train.ts' });
  assert.equal(defaultLaunchConfig('/ws/model.json'), null);
  assert.equal(defaultLaunchConfig(null), null);
});

test('package.json: the tfjs-debug debugger with its attributes, snippets, and every setting attribute described', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const dbg = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'tfjs-debug');
  const props = dbg.configurationAttributes.launch.properties;
  for (const key of ['program', 'args', 'env', 'cwd', 'url', ...SETTING_ATTRIBUTES]) assert.ok(props[key]?.description || props[key]?.markdownDescription, key);
  assert.ok(dbg.configurationSnippets.length >= 2);
  assert.ok(pkg.activationEvents.includes('onDebugResolve:tfjs-debug'));
});
