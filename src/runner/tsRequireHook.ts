// CommonJS loading of the user's .ts and .cts files (what ts-node does, with sucrase).
import { readFileSync } from 'node:fs';
import { moduleInternals, type CompilingModule } from './moduleInternals.ts';
import { transpileTypeScript } from './transpile.ts';

export function installTypeScriptRequireHook(): void {
  const extensions = moduleInternals._extensions;
  for (const ext of ['.ts', '.cts']) {
    extensions[ext] = (module: CompilingModule, filename: string) => {
      module._compile(transpileTypeScript(readFileSync(filename, 'utf8'), filename, 'commonjs'), filename);
    };
  }
}
