// Lint for the whole repository, and the layers of the product (README, "Architecture"): each part may import
// only the parts below it, so that the arrows between them go one way. protocol → model → shell, engine, host →
// runner, page, cli, extension; webview sits on protocol, model and shell. fixes (source edits for findings) sits on
// protocol, for the extension and the CLI. Only the runner and the page agent (the runner's twin inside a web page)
// load the engine (tfjs), only the extension imports vscode, and what runs in the browser (protocol, model, shell,
// page, webview) imports no Node module.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PARTS = ['protocol', 'model', 'shell', 'fixes', 'engine', 'host', 'runner', 'page', 'cli', 'extension', 'webview'];

/** An import of another part, from anywhere in the tree (relative paths name the part's folder). */
const part = (name, why) => ({ regex: `(^|/)${name}/`, message: `${name} is not for this part: ${why}` });
const VSCODE = { regex: '^vscode$', message: 'only src/extension imports vscode.' };
const TFJS = { regex: '^@tensorflow/', message: 'only src/engine touches tfjs (the runner loads it through the engine).' };
const NODE = {
  regex: `^(node:.*|(${builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/[/]/g, '\\/')).join('|')})(/.*)?)$`,
  message: 'this part runs in the browser too (the panel bundles it): no Node module.',
};

/** The parts `from` may not import, and why: everything above it, and the engine unless it is the runner. */
const FORBIDDEN = {
  protocol: ['model', 'shell', 'fixes', 'engine', 'host', 'runner', 'page', 'cli', 'extension', 'webview'],
  model: ['shell', 'fixes', 'engine', 'host', 'runner', 'page', 'cli', 'extension', 'webview'],
  shell: ['fixes', 'engine', 'host', 'runner', 'page', 'cli', 'extension', 'webview'],
  fixes: ['model', 'shell', 'engine', 'host', 'runner', 'page', 'cli', 'extension', 'webview'],
  engine: ['shell', 'fixes', 'host', 'runner', 'page', 'cli', 'extension', 'webview'],
  host: ['shell', 'fixes', 'engine', 'runner', 'page', 'cli', 'extension', 'webview'],
  runner: ['shell', 'fixes', 'host', 'page', 'cli', 'extension', 'webview'],
  page: ['shell', 'fixes', 'host', 'runner', 'cli', 'extension', 'webview'],
  cli: ['engine', 'runner', 'page', 'extension', 'webview'],
  extension: ['engine', 'runner', 'page', 'cli', 'webview'],
  webview: ['fixes', 'engine', 'host', 'runner', 'page', 'cli', 'extension'],
};
const BROWSER = new Set(['protocol', 'model', 'shell', 'page', 'webview']);

function layerRules(from, extra = []) {
  const patterns = [
    ...FORBIDDEN[from].map((to) => part(to, to === 'engine' ? 'only src/runner and src/page load the engine.' : `${from} sits below ${to}.`)),
    ...(from === 'extension' ? [] : [VSCODE]),
    ...(from === 'engine' ? [] : [TFJS]),
    ...(BROWSER.has(from) ? [NODE] : []),
    ...extra,
  ];
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const folderOf = (name) => (name === 'webview' ? 'webview' : `src/${name}`);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/fixtures/**', 'examples/**', '.cache/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      // Tests and the bench poke at internals; the product may not (below).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The product: no any without a one-line reason (an eslint-disable-next-line comment saying why), and no
    // function over 100 lines without one.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
    },
  },
  // The layers.
  ...PARTS.map((name) => ({ files: [`${folderOf(name)}/**/*.ts`], rules: layerRules(name) })),
  {
    // The extension's vscode-free logic, tested without VS Code.
    files: ['src/extension/logic/**/*.ts'],
    rules: layerRules('extension', [{ regex: '^vscode$', message: 'src/extension/logic is the vscode-free part of the extension.' }]),
  },
  {
    // CommonJS: helpers preloaded with node --require, and the bench's training scripts (plain tfjs programs).
    files: ['**/*.cjs', 'bench/scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { globalThis: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
