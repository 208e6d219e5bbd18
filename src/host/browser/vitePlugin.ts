// The Vite plugin: one line in vite.config (`plugins: [tfjsDebugger()]`) and the app's dev server pages hand the
// app's own tfjs instance to the page agent before the app's code runs. Only in `vite serve`; a production build
// is left alone.
//
//   import { tfjsDebugger } from 'tfjs-model-debugger/vite';
//   export default { plugins: [tfjsDebugger()] };
//
// It adds one module at the top of <head> that imports the app's tfjs (the same instance the app gets: Vite
// pre-bundles each dependency once) and calls `globalThis.__tfjsDebugger?.attach(tf)`. A module worker
// (`new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`) has an instance of its own and no
// <head>: so each of the app's modules that imports tfjs also hands what it imports to the agent of the realm it
// runs in (`globalThis.__tfjsDebugger?.attach(...)`, first in the module's body; in the page, a second attach of
// the same instance does nothing). The agent itself comes from
// the launcher (`tfjs-debug page`, the extension), which injects it before any script of the page runs; in a
// browser the debugger did not open, there is no agent and the call does nothing, so the plugin can stay in the
// config. An app that uses @tensorflow/tfjs-core and -layers without the union package is attached through those.
import { createRequire } from 'node:module';
import * as path from 'node:path';

interface HtmlTag {
  tag: string;
  attrs?: Record<string, string | boolean>;
  children?: string;
  injectTo?: 'head' | 'body' | 'head-prepend' | 'body-prepend';
}

/** The part of Vite's Plugin interface this plugin uses (vite is the app's, not ours). */
export interface VitePluginLike {
  name: string;
  apply: 'serve';
  configResolved(config: { root: string }): void;
  transformIndexHtml: { order: 'pre'; handler: () => HtmlTag[] };
  transform(this: ParseContext, code: string, id: string): { code: string; map: null } | null;
}

/** The app's own script modules (not its dependencies, nor Vite's). */
const APP_MODULE = /\.(m?[jt]sx?|vue|svelte)$/;
const TFJS = '@tensorflow/tfjs';

/** What Vite's plugin context gives a transform: the module parsed (an ESTree program). */
interface ParseContext {
  parse(code: string): { body: { type: string; source?: { value?: unknown } }[] };
}

/** The statement that hands a module's tfjs to the agent, given the packages the module imports statically;
 *  null for a module that imports none of tfjs's. It imports only what the module imports itself (a module
 *  worker that imports tfjs-core alone must not load the union package and its backends too). */
export function attachStatement(imported: ReadonlySet<string>): string | null {
  const name = '__tfjsDebuggerTfjs';
  const attach = (what: string) => `globalThis.__tfjsDebugger?.attach(${what});`;
  if (imported.has(TFJS)) return `import * as ${name} from '${TFJS}';${attach(name)}`;
  if (!imported.has(`${TFJS}-core`)) return null;
  if (!imported.has(`${TFJS}-layers`)) return `import * as ${name} from '${TFJS}-core';${attach(name)}`;
  return `import * as ${name} from '${TFJS}-core';import * as ${name}Layers from '${TFJS}-layers';` +
    attach(`{ ...${name}, ...${name}Layers, layers: ${name}Layers.layers }`);
}

/** The page's hand-over: the union package if the app has it, else tfjs-core and tfjs-layers. */
function attachModule(root: string): string {
  const has = (id: string) => {
    try {
      createRequire(path.join(root, 'package.json')).resolve(id);
      return true;
    } catch {
      return false;
    }
  };
  return attachStatement(new Set([TFJS, `${TFJS}-layers`].filter(has).concat(`${TFJS}-core`))) as string;
}

export function tfjsDebugger(): VitePluginLike {
  let root = process.cwd();
  return {
    name: 'tfjs-debugger',
    apply: 'serve',
    configResolved(config) {
      root = config.root;
    },
    transformIndexHtml: {
      order: 'pre',
      handler() {
        return [{ tag: 'script', attrs: { type: 'module' }, children: attachModule(root), injectTo: 'head-prepend' }];
      },
    },
    transform(code, id) {
      const file = id.split('?')[0];
      if (!APP_MODULE.test(file) || /[\\/]node_modules[\\/]/.test(file) || id.startsWith('\0') || !code.includes(TFJS)) return null;
      let imported: Set<string>;
      try {
        imported = new Set(this.parse(code).body.flatMap((n) => (n.type === 'ImportDeclaration' ? [String(n.source?.value)] : [])));
      } catch {
        return null; // not JavaScript yet (another plugin's source): left as it is
      }
      const statement = attachStatement(imported);
      // On the first line, so that no line moves: map null says the mappings are unchanged.
      return statement ? { code: statement + code, map: null } : null;
    },
  };
}
