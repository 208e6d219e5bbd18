// Which op's gradient an error came from. A kernel a backend lacks is most often a gradient kernel
// (UnsortedSegmentSum for an Embedding, Conv2DBackpropFilter for a convolution), and gradients run after
// every layer's apply has returned, so the layer tap cannot name the layer. Here every registered
// gradient's input-gradient functions are wrapped so that an error they throw carries, once, the forward
// kernel and the names of the variables it read: a layer's weights are named "<layer name>/<weight>"
// (tfjs-layers/src/variables.ts), which names the layer. The wrappers compute nothing of their own.
// Gradient functions are looked up when the tape records an op (tfjs-core/src/engine.ts, addTapeNode),
// so wrapping the registry's configs reaches every later gradient call.

export interface FailingGradient {
  forwardKernel: string;
  variables: string[];
}

type Core = typeof import('@tensorflow/tfjs-core');
type Thunks = Record<string, () => unknown>;

const KEY = Symbol.for('tfjsDebugger.failingGradient');

function tag(error: unknown, forwardKernel: string, saved: unknown[], core: Core): void {
  if (typeof error !== 'object' || error === null || KEY in error) return;
  const variables = saved.filter((t): t is InstanceType<Core['Variable']> => t instanceof core.Variable).map((v) => v.name);
  Object.defineProperty(error, KEY, { value: { forwardKernel, variables } satisfies FailingGradient, enumerable: false });
}

/** Wraps the gradients registered for every kernel any backend registers. Returns the undo. */
export function nameFailingGradients(core: Core): () => void {
  const names = new Set<string>();
  for (const backend of Object.keys((core.engine() as unknown as { registryFactory: object }).registryFactory)) {
    for (const kernel of core.getKernelsForBackend(backend)) names.add(kernel.kernelName);
  }
  const undo: Array<() => void> = [];
  for (const forwardKernel of names) {
    const config = core.getGradient(forwardKernel);
    if (config == null) continue;
    const original = config.gradFunc;
    config.gradFunc = (dy, saved, attrs) => {
      const thunks = original(dy, saved, attrs) as Thunks;
      const wrapped: Thunks = {};
      for (const [input, thunk] of Object.entries(thunks)) {
        wrapped[input] = () => {
          try {
            return thunk();
          } catch (e) {
            tag(e, forwardKernel, saved ?? [], core);
            throw e;
          }
        };
      }
      return wrapped as ReturnType<typeof original>;
    };
    undo.push(() => { config.gradFunc = original; });
  }
  return () => undo.forEach((u) => u());
}

export function failingGradientOf(error: unknown): FailingGradient | null {
  return typeof error === 'object' && error !== null ? ((error as Record<symbol, FailingGradient>)[KEY] ?? null) : null;
}
