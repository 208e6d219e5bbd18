// Which op's gradient an error came from. A kernel a backend lacks is most often a gradient kernel
// (UnsortedSegmentSum for an Embedding, Conv2DBackpropFilter for a convolution), and gradients run after
// every layer's apply has returned, so the layer tap cannot name the layer. Here each op the gradient tape
// records (tfjs-core/src/engine.ts, addTapeNode) gets its gradient functions wrapped so that an error they
// throw carries, once, the op's kernel and the names of the variables among its inputs: a layer's weights
// are named "<layer name>/<weight>" (tfjs-layers/src/variables.ts), which names the layer. The wrappers
// compute nothing of their own.

export interface FailingGradient {
  forwardKernel: string;
  variables: string[];
}

type Core = typeof import('@tensorflow/tfjs-core');
type Thunks = Record<string, () => unknown>;
interface TapeNode {
  kernelName: string;
  inputs: Record<string, unknown>;
  gradient?: (dys: unknown[]) => Thunks;
}
interface TapeEngine {
  addTapeNode: (...args: unknown[]) => void;
  state: { activeTape: TapeNode[] | null };
}

const KEY = Symbol.for('tfjsDebugger.failingGradient');

function tag(error: unknown, node: TapeNode, core: Core): void {
  if (typeof error !== 'object' || error === null || KEY in error) return;
  const variables = Object.values(node.inputs).filter((t): t is InstanceType<Core['Variable']> => t instanceof core.Variable).map((v) => v.name);
  Object.defineProperty(error, KEY, { value: { forwardKernel: node.kernelName, variables } satisfies FailingGradient, enumerable: false });
}

/** Wraps the engine's addTapeNode. Returns the undo. */
export function nameFailingGradients(core: Core): () => void {
  const engine = core.engine() as unknown as TapeEngine;
  const own = Object.prototype.hasOwnProperty.call(engine, 'addTapeNode');
  const original = engine.addTapeNode;
  engine.addTapeNode = function (this: TapeEngine, ...args: unknown[]) {
    original.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    const gradient = node?.gradient;
    if (!node || !gradient) return;
    node.gradient = (dys) => {
      const wrapped: Thunks = {};
      for (const [input, thunk] of Object.entries(gradient(dys))) {
        wrapped[input] = () => {
          try {
            return thunk();
          } catch (e) {
            tag(e, node, core);
            throw e;
          }
        };
      }
      return wrapped;
    };
  };
  return () => {
    if (own) engine.addTapeNode = original;
    else delete (engine as Partial<TapeEngine>).addTapeNode;
  };
}

export function failingGradientOf(error: unknown): FailingGradient | null {
  return typeof error === 'object' && error !== null ? ((error as Record<symbol, FailingGradient>)[KEY] ?? null) : null;
}
