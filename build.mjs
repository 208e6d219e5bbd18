// Builds the bundles: the runner (child process), its ESM loader hooks, and the CLI.
// tfjs stays external: the runner loads the user's own copy, or ours from node_modules, at run time.
import * as esbuild from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['@tensorflow/*', 'vscode'],
};

await Promise.all([
  esbuild.build({ ...common, format: 'cjs', entryPoints: { runner: 'src/runner/main.ts', cli: 'src/cli/main.ts' }, outdir: 'dist' }),
  esbuild.build({ ...common, format: 'esm', entryPoints: { 'esm-hooks': 'src/runner/esmHooks.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } }),
]);
