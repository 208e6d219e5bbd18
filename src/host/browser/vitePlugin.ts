// The Vite plugin: one line in vite.config (`plugins: [tfjsDebugger()]`) and the app's dev server pages carry
// the page agent, attached to the app's own tfjs instance before the app's code runs. Only in `vite serve`
// (the dev server `tfjs-debug page` or the extension opens); a production build is left alone.
//
//   import { tfjsDebugger } from 'tfjs-model-debugger/vite';
//   export default { plugins: [tfjsDebugger()] };
//
// The agent goes in as a classic script at the top of <head> (it runs before any module), then a module that
// imports the app's tfjs (the same instance the app gets: Vite pre-bundles each dependency once) and attaches
// the agent to it. An app that uses @tensorflow/tfjs-core and -layers without the union package is attached
// through those.
import { existsSync, readFileSync } from 'node:fs';
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

export interface TfjsDebuggerPluginOptions {
  /** The page agent to inject; by default the one next to this plugin (dist/page-agent.js). */
  agentPath?: string;
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

export function tfjsDebugger(options: TfjsDebuggerPluginOptions = {}): VitePluginLike {
  let root = process.cwd();
  const agentPath = options.agentPath ?? path.join(__dirname, 'page-agent.js');
  return {
    name: 'tfjs-debugger',
    apply: 'serve',
    configResolved(config) {
      root = config.root;
    },
    transformIndexHtml: {
      order: 'pre',
      handler() {
        if (!existsSync(agentPath)) throw new Error(`tfjs-debugger: the page agent is missing (${agentPath}); reinstall tfjs-model-debugger.`);
        return [
          { tag: 'script', children: readFileSync(agentPath, 'utf8'), injectTo: 'head-prepend' },
          { tag: 'script', attrs: { type: 'module' }, children: attachModule(root), injectTo: 'head' },
        ];
      },
    },
  };
}
