// Which tfjs backend a run uses. The user's own tfjs keeps the backend it picks, untouched; the bundled tfjs
// trains on tfjs-backend-wasm with the debugger's kernels registered (src/engine/backend/wasmKernels.ts: every
// kernel the cpu backend has, native where it matters for speed, else tfjs's own cpu kernel), far faster than
// the stock cpu backend. --backend wasm|cpu asks for one explicitly.
//
// tfjs is loaded when the user's script loads it (tfjsLoadHook.ts), inside a synchronous require, and the
// backend must be ready before the script's first op, which may come on the next line. A backend whose factory
// is synchronous is set up synchronously by setBackend (tfjs-core engine.ts: no await when the factory returns
// a backend, not a promise). cpu's factory is; wasm's is not (it compiles its WebAssembly module). So the wasm
// module is compiled before the script starts (prepareWasm: it needs no tfjs-core, draws no random number), and
// when tfjs loads, wasm is registered again with a factory that wraps the compiled module.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { setUpWasmKernels } from './wasmKernels.ts';
import { seededRandom } from '../probeEnvironment.ts';
import type { BackendChoice } from '../../protocol/channel.ts';
import type { TfjsSource } from '../../protocol/report.ts';
import type { TfjsCore } from '../tfjs.ts';

/** What the debugger reads and sets on tfjs-backend-wasm's Emscripten module (wasm-out/tfjs-backend-wasm-simd.js). */
interface WasmModule {
  cwrap(name: string, returns: string | null, args: string[]): unknown;
  _malloc(bytes: number): number;
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  /** The bridge functions tfjs-backend-wasm's init() would set (backend_wasm.ts). */
  tfjs?: Record<string, unknown>;
}

export interface PreparedWasm {
  /** Folder of the @tensorflow/tfjs-backend-wasm package whose module was compiled. */
  packageDir: string;
  module: WasmModule;
}

/** Whether the run sets a backend itself, and which. */
export function backendFor(choice: BackendChoice, source: TfjsSource): 'wasm' | 'cpu' | null {
  if (choice === 'auto') return source === 'bundled' ? 'wasm' : null;
  return choice;
}

/** Runs `fn` with Math.random replaced by a private generator: modules the debugger loads on its own account
 *  (tfjs-backend-wasm draws a number when it loads) leave the user's random stream where it was. */
export function withPrivateRandom<T>(fn: () => T): T {
  const saved = Math.random;
  Math.random = seededRandom(0x7f4a7c15);
  try {
    return fn();
  } finally {
    Math.random = saved;
  }
}

/** tfjs-backend-wasm, from the user's project first, then from the debugger's own copy. */
function wasmPackageDir(fromDirs: string[]): string {
  for (const dir of fromDirs) {
    try {
      return path.dirname(createRequire(path.join(dir, '__tfjs_debugger__.js')).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    } catch {
      // try the next place
    }
  }
  throw new Error('@tensorflow/tfjs-backend-wasm is not installed');
}

const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);

/**
 * Compiles and instantiates tfjs-backend-wasm's WebAssembly module (its Emscripten glue in wasm-out/ and the
 * SIMD binary tfjs itself picks on Node) before the script runs. The glue's process listeners are removed
 * again. The bridge functions are the ones tfjs-backend-wasm's own init() wraps (backend_wasm.ts).
 */
export async function prepareWasm(fromDirs: string[], memoryLimitMb: number): Promise<PreparedWasm> {
  const packageDir = wasmPackageDir(fromDirs);
  if (!WebAssembly.validate(SIMD_PROBE)) throw new Error('this Node.js has no WebAssembly SIMD, which the wasm backend needs on Node');
  const factory = createRequire(path.join(packageDir, 'package.json'))(path.join(packageDir, 'wasm-out', 'tfjs-backend-wasm-simd.js'));
  const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
  const wasmFile = path.join(packageDir, 'dist', 'tfjs-backend-wasm-simd.wasm');
  let module: WasmModule;
  // The glue's epilogue (post.js) looks for the factory under the global name the tfjs bundle gives it.
  const global = globalThis as { WasmBackendModule?: unknown };
  global.WasmBackendModule = factory;
  try {
    module = await factory({ locateFile: (file: string) => (file.endsWith('.wasm') ? wasmFile : path.join(packageDir, 'wasm-out', file)) });
  } finally {
    delete global.WasmBackendModule;
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      const added = process.listeners(event as 'uncaughtException').filter((l) => !(before[event] as unknown[]).includes(l));
      for (const listener of added) process.removeListener(event as 'uncaughtException', listener);
    }
  }
  limitWasmMemory(module, memoryLimitMb);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return { packageDir, module };
}

/**
 * The wasm heap lives outside V8's, so --memory would not bound it: growth past the limit is refused, and a
 * tensor allocation that then fails throws a clear error instead of writing at address 0.
 */
function limitWasmMemory(module: WasmModule, memoryLimitMb: number): void {
  const limit = memoryLimitMb * 2 ** 20;
  const memory: WebAssembly.Memory | undefined = module.asm?.memory ?? module.wasmMemory;
  if (memory) {
    const grow = memory.grow.bind(memory);
    Object.defineProperty(memory, 'grow', {
      value: (pages: number) => {
        if (memory.buffer.byteLength + pages * 65536 > limit) throw new RangeError('wasm memory limit');
        return grow(pages);
      },
    });
  }
  const malloc = module._malloc;
  module._malloc = (bytes: number) => {
    const at = malloc(bytes);
    if (at === 0 && bytes > 0) {
      throw new Error(`The wasm backend ran out of memory: ${bytes} more bytes would pass the runner's limit of ${memoryLimitMb} MB ` +
        '(--memory, or the tfjsDebugger.memoryLimitMB setting). Raise it if the model needs more.');
    }
    return at;
  };
}

/**
 * Sets the run's backend on a tfjs that has just loaded, synchronously, so that it is ready for the script's
 * next line. Returns a note for the log, or null when the user's tfjs keeps its own backend.
 */
export function applyBackend(core: TfjsCore, corePath: string, backend: 'wasm' | 'cpu' | null, wasm: PreparedWasm | null,
  onFallback: (kernel: string) => void): string | null {
  if (backend === null) return null;
  if (backend === 'cpu') {
    if (!core.findBackendFactory?.('cpu')) {
      withPrivateRandom(() => createRequire(corePath)('@tensorflow/tfjs-backend-cpu'));
    }
    void core.setBackend('cpu');
    if (core.getBackend() !== 'cpu') throw new Error('the cpu backend failed to initialise');
    return null;
  }
  if (!wasm) throw new Error('the wasm backend was not prepared');
  const wasmPackage = withPrivateRandom(() => createRequire(path.join(wasm.packageDir, 'package.json'))(wasm.packageDir));
  const setup = setUpWasmKernels(core, onFallback);
  if (core.findBackendFactory?.('wasm')) core.removeBackend('wasm');
  core.registerBackend('wasm', () => new wasmPackage.BackendWasm(wasm.module), 2);
  void core.setBackend('wasm');
  if (core.getBackend() !== 'wasm' || !core.engine().registry.wasm) throw new Error('the wasm backend failed to initialise');
  return `backend wasm, with the debugger's kernels: ${setup.native.join(', ') || 'none'}; ` +
    `tfjs's cpu kernels for ${setup.cpuFallbacks.join(', ') || 'none'}` +
    (setup.missing.length ? `; not available on wasm (complex64): ${setup.missing.join(', ')}` : '');
}
