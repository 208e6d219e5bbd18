// Instruments tfjs at the moment the user's script loads it, not before: tfjs draws random numbers while its
// modules load (one per package, for its seedrandom pool), so a script that seeds Math.random before it
// requires tfjs must see those draws come from its own generator, as under plain node. Every require goes
// through Module._load (ES module imports of tfjs too: tfjs's packages are CommonJS), so the hook watches the
// outermost require that touched an @tensorflow package: when it returns, and the tfjs-core the runner
// resolved is in the module cache, tfjs is instrumented before the script's next statement.
import * as path from 'node:path';
import type { TfjsCore, TfjsLayers, TfjsModules } from '../engine/tfjs.ts';
import { moduleInternals } from './moduleInternals.ts';

export interface TfjsLoadHookOptions {
  corePath: string;
  layersPath: string | null;
  /** tfjs-core has loaded (with tfjs-layers when it is loaded too). */
  onLoad: (mods: TfjsModules) => void;
  /** tfjs-layers loaded after tfjs-core had been instrumented without it. */
  onLayersLoad: (mods: TfjsModules) => void;
  /** Another copy of tfjs-core loaded (its package folder), which is not instrumented. */
  onOtherCopy: (packageDir: string) => void;
}

const TFJS_REQUEST = /@tensorflow[\\/]/;
const CORE_FILE = /^(.*[\\/]node_modules[\\/]@tensorflow[\\/]tfjs-core)[\\/]/;

export function instrumentTfjsWhenLoaded(opts: TfjsLoadHookOptions): void {
  const M = moduleInternals;
  const original = M._load;
  const ourCore = CORE_FILE.exec(opts.corePath)?.[1] ?? path.dirname(opts.corePath);
  const reported = new Set<string>([ourCore]);
  let inTfjs = false;
  let core: TfjsCore | null = null;
  let layers: TfjsLayers | null = null;

  const check = () => {
    const cache = M._cache;
    const exportsOf = (file: string | null) => (file ? cache[file]?.exports ?? null : null);
    if (!core && cache[opts.corePath]) {
      core = exportsOf(opts.corePath) as TfjsCore;
      layers = exportsOf(opts.layersPath) as TfjsLayers | null;
      opts.onLoad({ core, layers });
    } else if (core && !layers && opts.layersPath && cache[opts.layersPath]) {
      layers = exportsOf(opts.layersPath) as TfjsLayers;
      opts.onLayersLoad({ core, layers });
    }
    for (const file of Object.keys(cache)) {
      const dir = CORE_FILE.exec(file)?.[1];
      if (dir && !reported.has(dir)) {
        reported.add(dir);
        opts.onOtherCopy(dir);
      }
    }
  };

  M._load = function (request: unknown, ...rest: unknown[]) {
    // The outermost require on the stack that names an @tensorflow package: tfjs is complete when it returns.
    const outermost = !inTfjs && typeof request === 'string' && TFJS_REQUEST.test(request);
    // tfjs's own source maps are large and its frames are never the user's: not loaded while it loads.
    const pauseMaps = outermost && process.sourceMapsEnabled;
    if (outermost) inTfjs = true;
    if (pauseMaps) process.setSourceMapsEnabled(false);
    try {
      return original.call(this, request, ...rest);
    } finally {
      if (pauseMaps) process.setSourceMapsEnabled(true);
      if (outermost) {
        inTfjs = false;
        check();
      }
    }
  };
}
