// Builds the bundles:
//  - dist/runner.js, dist/esm-hooks.mjs: the child process that runs the user's script (node)
//  - dist/cli.js: tfjs-debug (node)
//  - dist/extension.js: the VS Code extension host side (node, `vscode` external)
//  - dist/webview.js, dist/webview.css: the panel, also embedded in the HTML report (browser)
//  - dist/page-agent.js: the engine inside a web page, injected by `tfjs-debug page` (browser)
//  - dist/vite-plugin.js: tfjsDebugger() for a Vite app's config (node)
//  - dist/vite-server.js: a Vite app's dev server in its own process, started by the extension (node)
//  - dist/fixes.js: the code fixes with the TypeScript compiler, required by the extension on its first code
//    action (never at activation: it is several MB)
// tfjs stays external: the runner loads the user's own copy, or ours from node_modules, at run time.
// Entries whose source does not exist yet are skipped.
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['@tensorflow/*', 'vscode'],
  minify: production,
};
const present = (entries) => Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));

const builds = [
  esbuild.build({ ...node, format: 'cjs', entryPoints: present({ runner: 'src/runner/main.ts', cli: 'src/cli/main.ts', extension: 'src/extension/extension.ts', 'vite-plugin': 'src/host/browser/vitePlugin.ts', 'vite-server': 'src/host/browser/viteServerProcess.ts', fixes: 'src/fixes/sourceFixes.ts' }), outdir: 'dist' }),
  esbuild.build({ ...node, format: 'esm', entryPoints: { 'esm-hooks': 'src/runner/esmHooks.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } }),
];
const webview = present({ webview: 'webview/main.ts' });
if (Object.keys(webview).length) {
  builds.push(esbuild.build({
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: production ? false : 'linked',
    logLevel: 'warning', minify: production, entryPoints: webview, outdir: 'dist',
    loader: { '.ttf': 'file' },
  }));
}
// The page agent: no source map (it is injected as text into the page) and no `process` (a browser page). It
// carries the cross-backend check's worker (tfjs-core and its cpu kernels, minified) as text, to start it from.
const checkWorker = await esbuild.build({
  bundle: true, platform: 'browser', target: 'es2020', format: 'iife', logLevel: 'warning', minify: true, write: false,
  entryPoints: ['src/engine/probes/checkWorker.ts'], legalComments: 'eof',
});
builds.push(esbuild.build({
  bundle: true, platform: 'browser', target: 'es2020', format: 'iife', logLevel: 'warning', minify: production,
  entryPoints: { 'page-agent': 'src/page/agent.ts' }, outdir: 'dist', external: ['@tensorflow/*'],
  define: { __TFJS_DEBUG_CHECK_WORKER__: JSON.stringify(checkWorker.outputFiles[0].text) },
}));
await Promise.all(builds);
