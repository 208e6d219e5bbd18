// When the ES module hooks (esm-hooks.mjs: TypeScript in ES modules, `.js` specifiers naming `.ts` files, the
// bundled tfjs for a project without one) are registered. module.register starts a loader thread, which costs
// about 65 ms on Node 20 (measured: `node -e` around the call), so a run registers them only when an import can
// reach them:
//  - an ES module script: at once, before it loads;
//  - a CommonJS script: when one of the user's own modules (outside node_modules) that contains a dynamic
//    `import(` is compiled, before its first line runs (a CommonJS module reaches the ESM loader only through
//    import(); a package in node_modules that imports tfjs or a .ts file would fail under node as well);
//  - a saved model (no user code): never.
import Module, { register } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompilingModule } from './moduleInternals.ts';

export interface EsmHookData {
  bundledParentURL: string | null;
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

function registerNow(data: EsmHookData): void {
  register(pathToFileURL(path.join(__dirname, 'esm-hooks.mjs')).href, { data });
}

export function registerEsmHooks(kind: 'script' | 'probe', esm: boolean, data: EsmHookData): void {
  if (kind === 'probe') return;
  if (esm) return registerNow(data);
  const proto = Module.prototype as unknown as CompilingModule;
  const compile = proto._compile;
  proto._compile = function (this: CompilingModule, source: string, filename: string) {
    if (typeof source === 'string' && !filename.includes(NODE_MODULES) && DYNAMIC_IMPORT.test(source)) {
      proto._compile = compile;
      registerNow(data);
    }
    return compile.call(this, source, filename);
  };
}
