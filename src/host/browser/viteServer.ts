// Starts a Vite app's own dev server with the debugger's plugin added (so the app's vite.config needs no
// change), on loopback and a free port, for `tfjs-debug page <folder>`. Vite is the app's (resolved from its
// folder); the debugger does not ship one.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tfjsDebugger } from './vitePlugin.ts';

export interface DevServer {
  url: string;
  root: string;
  close(): Promise<void>;
}

export class ViteNotFound extends Error {}

const CONFIGS = ['vite.config.js', 'vite.config.mjs', 'vite.config.ts', 'vite.config.mts', 'vite.config.cjs'];

/** Whether a folder is a Vite app (it has a vite.config, or an index.html and vite among its dependencies). */
export function isViteApp(folder: string): boolean {
  return CONFIGS.some((c) => existsSync(path.join(folder, c))) || existsSync(path.join(folder, 'index.html'));
}

export async function startViteServer(folder: string): Promise<DevServer> {
  const root = path.resolve(folder);
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(path.join(root, 'package.json')).resolve('vite/package.json'));
  } catch {
    throw new ViteNotFound(`${root}: Vite is not installed for this app (npm install -D vite), or start its dev server yourself and give tfjs-debug its URL.`);
  }
  // Vite is an ES module (dist/node/index.js in Vite 5 to 8).
  const vite = await import(pathToFileURL(path.join(packageDir, 'dist', 'node', 'index.js')).href);
  const server = await vite.createServer({
    root, logLevel: 'error', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    plugins: [tfjsDebugger()],
  });
  await server.listen();
  const url = server.resolvedUrls?.local?.[0] ?? `http://127.0.0.1:${server.config.server.port}/`;
  return { url, root, close: () => server.close() };
}
