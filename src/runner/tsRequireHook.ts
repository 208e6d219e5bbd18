// CommonJS loading of the user's .ts and .cts files (what ts-node does, with sucrase).
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { transpileTypeScript } from './transpile.ts';

export function installTypeScriptRequireHook(): void {
  const extensions = (Module as any)._extensions;
  for (const ext of ['.ts', '.cts']) {
    extensions[ext] = (module: any, filename: string) => {
      module._compile(transpileTypeScript(readFileSync(filename, 'utf8'), filename, 'commonjs'), filename);
    };
  }
}
