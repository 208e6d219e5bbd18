// Which tfjs backend a run uses. The user's own tfjs keeps the backend it picks; the bundled tfjs trains on
// tfjs-backend-wasm with the debugger's kernels registered (src/core/backend/wasmKernels.ts: every kernel
// the cpu backend has, native where it matters for speed, else tfjs's own cpu kernel), far faster than
// the stock cpu backend. --backend wasm|cpu asks for one explicitly.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { setUpWasmKernels } from '../core/backend/wasmKernels.ts';
import type { TfjsSource } from '../protocol.ts';

export type BackendChoice = 'auto' | 'wasm' | 'cpu';

export interface BackendSetup {
  /** A note for the run's log. */
  note: string | null;
  /** Whether the debugger set up the wasm backend (its kernels registered). */
  debuggerWasm: boolean;
}

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

/** Sets the backend before the user's code runs. `onFallback` hears each use of a cpu fallback kernel. */
export async function chooseBackend(core: any, choice: BackendChoice, source: TfjsSource, dirs: { project: string | null; debugger: string },
  onFallback: (kernel: string) => void): Promise<BackendSetup> {
  const wasm = choice === 'wasm' || (choice === 'auto' && source === 'bundled');
  if (!wasm) {
    if (choice === 'cpu') await core.setBackend('cpu');
    return { note: null, debuggerWasm: false };
  }
  loadWasm([dirs.project, dirs.debugger].filter((d): d is string => d != null));
  const setup = setUpWasmKernels(core, onFallback);
  if (!(await core.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  const note = `backend wasm, with the debugger's kernels: ${setup.native.join(', ') || 'none'}; ` +
    `tfjs's cpu kernels for ${setup.cpuFallbacks.join(', ') || 'none'}` +
    (setup.missing.length ? `; not available on wasm (complex64): ${setup.missing.join(', ')}` : '');
  return { note, debuggerWasm: true };
}
