// The Vite plugin: one line in vite.config (`plugins: [tfjsDebugger()]`) and the app's dev server pages hand the
// app's own tfjs instance to the page agent before the app's code runs. Only in `vite serve`; a production build
// is left alone.
//
//   import { tfjsDebugger } from 'tfjs-model-debugger/vite';
//   export default { plugins: [tfjsDebugger()] };
//
// It adds one module at the top of <head> that imports the app's tfjs (the same instance the app gets: Vite
// pre-bundles each dependency once) and calls `window.__tfjsDebugger?.attach(tf)`. The agent itself comes from
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
}

/** The tfjs module the app imports: the union package if it has it, else tfjs-core and tfjs-layers. */
function attachModule(root: string): string {
  const has = (id: string) => {
    try {
      createRequire(path.join(root, 'package.json')).resolve(id);
      return true;
    } catch {
      return false;
    }
  };
  if (has('@tensorflow/tfjs')) return `import * as tf from '@tensorflow/tfjs';\nwindow.__tfjsDebugger?.attach(tf);`;
  const layers = has('@tensorflow/tfjs-layers');
  return `import * as core from '@tensorflow/tfjs-core';\n${layers ? "import * as layers from '@tensorflow/tfjs-layers';\n" : ''}` +
    `window.__tfjsDebugger?.attach(${layers ? '{ ...core, ...layers, layers: layers.layers }' : 'core'});`;
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
  };
}
