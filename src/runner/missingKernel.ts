// A kernel the backend lacks ("Kernel 'X' not registered for backend 'Y'", tfjs-core/src/engine.ts) is not
// the script's fault: its tfjs cannot run the model on that backend. This turns the error into one that
// names the kernel, the layer that needed it and the line where that layer was built, and says what to
// run instead. The layer comes from the layer tap (a forward kernel: core/instrument/failingLayer.ts) or,
// for a gradient kernel, from the weights the failing gradient read (core/instrument/failingGradient.ts).
import type { LayerInfo, RunError } from '../protocol/report.ts';
import { failingGradientOf } from '../engine/probes/failingGradient.ts';
import { failingLayerOf, type FailingLayer } from '../engine/probes/failingLayer.ts';
import { COMPLEX_KERNELS } from '../engine/backend/cpuFallbackKernels.ts';

export interface MissingKernelContext {
  /** The layers the run has seen (from its 'layers' events). */
  layers: LayerInfo[];
  /** Whether the debugger set up the wasm backend (with its fallbacks) for this run. */
  debuggerWasm: boolean;
  /** Where the error surfaced in the user's code, when no layer is known. */
  fallback: Pick<RunError, 'file' | 'line' | 'column' | 'stack'>;
}

const MISSING = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/** The layer whose weight a failing gradient read: weights are named "<layer name>/<weight>". */
function layerOfVariables(variables: string[], layers: LayerInfo[]): FailingLayer | null {
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const variable of variables) {
    for (let cut = variable.lastIndexOf('/'); cut > 0; cut = variable.lastIndexOf('/', cut - 1)) {
      const layer = byName.get(variable.slice(0, cut));
      if (layer) return layer;
    }
  }
  return null;
}

const where = (layer: FailingLayer): string =>
  `layer ${layer.name} (${layer.className}${layer.source ? `, built at ${layer.source.file.split(/[\\/]/).pop()}:${layer.source.line}` : ''})`;

/** A RunError for a missing-kernel error, or null for any other error. */
export function missingKernelError(error: unknown, context: MissingKernelContext): RunError | null {
  const message = error instanceof Error ? error.message : String(error);
  const match = MISSING.exec(message);
  if (!match) return null;
  const [, kernel, backend] = match;
  const gradient = failingGradientOf(error);
  const layer = failingLayerOf(error) ?? (gradient ? layerOfVariables(gradient.variables, context.layers) : null);
  const need = gradient ? `the gradient of ${gradient.forwardKernel}` : layer ? 'the forward pass' : 'the model';
  const by = layer ? `${need} in ${where(layer)}` : need;
  const location = layer?.source
    ? { file: layer.source.file, line: layer.source.line, column: layer.source.column, stack: context.fallback.stack }
    : context.fallback;
  if (context.debuggerWasm && backend === 'wasm') {
    const why = COMPLEX_KERNELS.has(kernel) ? ' (wasm cannot hold complex64 tensors)' : '';
    return {
      ...location, kind: 'internal',
      message: `The wasm backend the debugger runs on has no '${kernel}' kernel${why}, and ${by} needs it. ` +
        'Run with --backend cpu (tfjs-backend-cpu has every kernel, and is slower).',
    };
  }
  return {
    ...location, kind: 'usage',
    message: `Your tfjs has no '${kernel}' kernel for the ${backend} backend, and ${by} needs it, so the model cannot train ` +
      `on ${backend} as installed. Run with --backend wasm: the debugger sets up wasm with every kernel tfjs's cpu ` +
      `backend has (tfjs's own cpu kernel where wasm has none). Or --backend cpu.`,
  };
}
