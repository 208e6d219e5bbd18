// ES module loader hooks (module.register), for ESM user scripts: TypeScript sources, `.js` specifiers that
// name `.ts` files, and the fallback to the bundled tfjs when the user's project has none.
import { readFile } from 'node:fs/promises';
import type { LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundledTfjsTarget, isTypeScript, transpileTypeScript } from './transpile.ts';

interface HookData {
  /** A file URL inside the debugger's own package, to resolve the bundled tfjs from; null when the user's
   *  project has its own tfjs. */
  bundledParentURL: string | null;
}

let data: HookData = { bundledParentURL: null };

export function initialize(d: HookData): void {
  data = d;
}

export const resolve: ResolveHook = async (specifier, context, next) => {
  try {
    return await next(specifier, context);
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND') {
      const target = bundledTfjsTarget(specifier);
      if (target && data.bundledParentURL) return next(target, { ...context, parentURL: data.bundledParentURL });
      if (/^\.{1,2}\//.test(specifier) && /\.[mc]?js$/.test(specifier) && context.parentURL && isTypeScript(fileURLToPath(context.parentURL))) {
        return next(specifier.replace(/js$/, 'ts'), context);
      }
    }
    throw error;
  }
};

export const load: LoadHook = async (url, context, next) => {
  if (url.startsWith('file:') && isTypeScript(fileURLToPath(url))) {
    const file = fileURLToPath(url);
    const source = await readFile(file, 'utf8');
    if (file.endsWith('.cts')) return next(url, context);
    return { format: 'module', source: transpileTypeScript(source, file, 'module'), shortCircuit: true };
  }
  return next(url, context);
};
