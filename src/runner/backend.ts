// Which tfjs backend a run uses. The user's own tfjs keeps the backend it picks; the bundled tfjs trains on
// tfjs-backend-wasm with the gradient kernels it lacks registered (src/core/backend/wasmGradientKernels.ts),
// far faster than the stock cpu backend. --backend wasm|cpu asks for one explicitly.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { registerWasmGradientKernels } from '../core/backend/wasmGradientKernels.ts';
import type { TfjsSource } from '../protocol.ts';

export type BackendChoice = 'auto' | 'wasm' | 'cpu';

/** Resolves tfjs-backend-wasm from the user's project first, then from the debugger's own copy. */
function loadWasm(fromDirs: string[]): any {
  for (const dir of fromDirs) {
    const req = createRequire(path.join(dir, '__tfjs_debugger__.js'));
    try {
      const entry = req.resolve('@tensorflow/tfjs-backend-wasm');
      const wasm = req(entry);
      const dist = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dist + path.sep);
      return wasm;
    } catch {
      // try the next place
    }
  }
  throw new Error('@tensorflow/tfjs-backend-wasm is not installed');
}

/** Sets the backend before the user's code runs. Returns a note for the log, or null. */
export async function chooseBackend(core: any, choice: BackendChoice, source: TfjsSource, dirs: { project: string | null; debugger: string }): Promise<string | null> {
  const wasm = choice === 'wasm' || (choice === 'auto' && source === 'bundled');
  if (!wasm) {
    if (choice === 'cpu') await core.setBackend('cpu');
    return null;
  }
  loadWasm([dirs.project, dirs.debugger].filter((d): d is string => d != null));
  const registered = registerWasmGradientKernels(core, { fastConv2DBackpropInput: true });
  if (!(await core.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  return `backend wasm, with gradient kernels added: ${registered.join(', ') || 'none needed'}`;
}
