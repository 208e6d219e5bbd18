// Records the forward pass of one probed gradient call, so that probes can replay it instead of running the
// user's loss closure again (replay.ts).
//
// While the closure runs, every kernel it invokes is recorded with its inputs, attributes and outputs. tfjs runs
// every op through Engine.runKernelFunc (tfjs-core/src/engine.ts: runKernel calls it for registered kernels,
// customGrad for its forward function); the engine's own tape keeps neither the attributes nor the ops inside a
// customGrad (softmaxCrossEntropy, logSoftmax, the fused matMul and conv2d that Dense and Conv2D use), so the
// recording wraps runKernelFunc itself: registered kernels are recorded (not those a kernel runs inside itself),
// and a customGrad is transparent: the kernels inside its forward function are recorded. Tensors that no
// recorded kernel produced are the call's constants: the batch, the labels, random numbers drawn in JavaScript
// (tfjs-core draws randomUniform, randomNormal and the dropout mask in JavaScript: ops/random_uniform.ts,
// ops/rand_util.ts), variables. Their data is held (heldTensors.ts), so replay sees exactly what the call saw,
// even when the user disposes them afterwards; so is every kernel output, within a byte budget, so replay can
// start from the call's own values wherever nothing changed.
//
// Besides kernels the recording keeps "units": calls that replay may make again as a whole instead of
// replaying their kernels.
// - A layer unit per outermost non-container layer call: the layer, its inputs, kwargs and outputs, the mode
//   it ran in, and whether its call read kwargs.training, which is what makes a layer mode-dependent
//   (tfjs-layers reads it in BatchNormalization, Dropout and the noise layers, and in the recurrent layers for
//   their dropout: layers/normalization.ts, core.ts, noise.ts, recurrent.ts); a custom layer is mode-dependent
//   exactly when it reads it too.
// - A fused unit per call of tf.fused.matMul, conv2d or depthwiseConv2d with a non-linear activation: under a
//   gradient tfjs runs them as separate kernels, outside one as a single fused kernel (tfjs-core
//   ops/fused_util.ts, shouldFuse), which rounds differently. Replay calls the fused op again, so an
//   inference-mode loss is the one the user's own predict gives, to the last bit.
// Variables the call assigns (a BatchNormalization layer in training mode moves its statistics:
// normalization.ts, doMovingAverage) keep their data from before the call.
//
// The recording also notices what replay cannot redo, and says why: a closure that reads back a tensor that
// depends on a mode-dependent layer (its control flow could follow the values), and a gradient taken inside the
// closure when a mode-dependent layer ran in training mode (its backward ops depend on the mode).
import { HeldTensors } from './heldTensors.ts';
import { inDebuggerCode } from '../probeEnvironment.ts';
import { Patcher } from '../patcher.ts';
import { engineOf, type DataId, type KernelBackend, type KernelParams, type Layer, type NamedAttrMap, type Tensor, type TfjsCore, type TfjsObject, type Variable } from '../tfjs.ts';
import { captureUserFrame, type InternalPathTest } from '../callSites.ts';

/** Bytes of kernel outputs a recording may hold; constants are always held. */
export const RECORDING_MAX_BYTES = 256 * 2 ** 20;

export interface RecordedVariableInput {
  variable: Variable;
  /** The data the variable had when the kernel ran. */
  dataId: object;
}

export interface RecordedOp {
  kernel: string;
  /** Input name → tensor id, or the null or undefined the kernel got for an absent optional input. */
  inputs: [string, number | null | undefined][];
  /** The kernel got its inputs as an array, not a map (Concat, Pack, AddN: tfjs-core ops/concat.ts passes
   *  its tensor list as the inputs). */
  listInputs: boolean;
  attrs: NamedAttrMap;
  outputs: number[];
  /** Inputs that were variables, read live by replay. */
  variables: RecordedVariableInput[];
  /** The units the kernel ran in, outermost first. */
  units: number[];
  /** Its outputs are held (within the budget). */
  held: boolean;
}

/** A kernel's inputs as the kernel takes them: a map by name, or a list. */
export function kernelInputs<T>(op: Pick<RecordedOp, 'inputs' | 'listInputs'>, value: (id: number | null | undefined) => T): Record<string, T> | T[] {
  return op.listInputs ? op.inputs.map(([, id]) => value(id)) : Object.fromEntries(op.inputs.map(([name, id]) => [name, value(id)]));
}

/** A tensor in a recorded argument. */
export class TensorRef {
  constructor(readonly id: number) {}
}

/** Anything else in a recorded argument, kept as it was. */
export class Literal {
  constructor(readonly value: unknown) {}
}

/** A layer call's argument (inputs, kwargs, outputs) with its tensors replaced by references. */
export type Shape = TensorRef | Literal | Shape[] | { [key: string]: Shape };

interface UnitBase {
  /** The op function's argument (fused), or the layer's inputs. */
  inputs: Shape;
  outputs: Shape;
  /** First op index of the unit, and one past its last. */
  start: number;
  end: number;
  /** The units it ran in, outermost first. */
  within: number[];
}

/** An outermost layer call (not a container's). */
export interface LayerUnit extends UnitBase {
  kind: 'layer';
  layer: Layer;
  /** The registry's id for the layer. */
  layerId: number;
  training: boolean;
  /** The layer's call read kwargs.training. */
  modeDependent: boolean;
  kwargs: Record<string, Shape>;
}

/** A fused op that ran unfused because a gradient was being taken. */
export interface FusedUnit extends UnitBase {
  kind: 'fused';
  op: FusedOp;
}

export type RecordedUnit = LayerUnit | FusedUnit;

const FUSED_OPS = ['matMul', 'conv2d', 'depthwiseConv2d'] as const;
export type FusedOp = typeof FUSED_OPS[number];

/** A variable the call assigned. */
export interface AssignedVariable {
  variable: Variable;
  /** Its data when the call first assigned it, held. */
  before: DataId;
  backend: KernelBackend;
}

export class ForwardRecording {
  readonly ops: RecordedOp[] = [];
  readonly units: RecordedUnit[] = [];
  readonly held: HeldTensors;
  /** Tensor id → the op that produced it. */
  readonly producer = new Map<number, number>();
  /** Variables by tensor id. */
  readonly variables = new Map<number, Variable>();
  /** Variables the call assigned, with their data from before. */
  readonly assigned = new Map<Variable, AssignedVariable>();
  /** Tensor ids that depend on the output of a mode-dependent layer. */
  private readonly tainted = new Set<number>();
  /** The recording's own taps, on while the forward pass runs. */
  private readonly patcher = new Patcher(() => undefined);
  private kernelDepth = 0;
  /** The units open now, outermost first. */
  private readonly open: number[] = [];
  private nestedGradients = 0;
  /** Why the call cannot be replayed, when it cannot. */
  problem: string | null = null;
  /** Reads of mode-dependent values during the call, with the number of kernels recorded before each. */
  readonly readBacks: { op: number; method: string; where: string }[] = [];

  constructor(
    private readonly core: TfjsCore,
    private readonly isInternal: InternalPathTest,
    private readonly maxBytes = RECORDING_MAX_BYTES,
  ) {
    this.held = new HeldTensors(engineOf(core));
  }

  /** Runs the user's forward pass f with the recording on. */
  during<T>(f: () => T): T {
    this.install();
    try {
      return f();
    } finally {
      this.uninstall();
    }
  }

  private install(): void {
    const engine = engineOf(this.core);
    const patcher = this.patcher;
    const recordsKernels = patcher.patch(engine as TfjsObject, 'runKernelFunc', (original) => (params: KernelParams) => {
      if (this.kernelDepth > 0 || params.kernelName == null || inDebuggerCode()) return original.call(engine, params);
      this.kernelDepth++;
      let out: Tensor | Tensor[];
      try {
        out = original.call(engine, params);
      } finally {
        this.kernelDepth--;
      }
      this.recordOp(params.kernelName, params.inputs ?? {}, params.attrs ?? {}, Array.isArray(out) ? out : [out]);
      return out;
    });
    if (!recordsKernels) this.problem ??= 'this tfjs build does not let the debugger record the kernels a call runs';

    const beforeAssign = (v: Variable) => this.beforeAssign(v);
    patcher.patch(this.core.Variable?.prototype, 'assign', (original) => function (this: Variable, value: Tensor) {
      if (!inDebuggerCode()) beforeAssign(this);
      return original.call(this, value);
    });
    for (const name of FUSED_OPS) {
      patcher.patch(this.core.fused, name, (original) => (args: Record<string, unknown>) => {
        if (this.kernelDepth > 0 || inDebuggerCode() || (args?.activation ?? 'linear') === 'linear' ||
            !(engine.state.gradientDepth > 0)) return original(args);
        const unit: FusedUnit = { kind: 'fused', op: name, inputs: this.shapeOf(args), outputs: [], start: 0, end: 0, within: [] };
        return this.inUnit(unit, () => original(args));
      });
    }
    const tainted = this.tainted;
    for (const read of ['dataSync', 'data', 'dataToGPU'] as const) {
      const readBack = () => this.readBack(read);
      patcher.patch(this.core.Tensor.prototype, read, (original) => function (this: Tensor, ...args: unknown[]) {
        if (!inDebuggerCode() && tainted.has(this.id)) readBack();
        return original.apply(this, args);
      });
    }
  }

  private uninstall(): void {
    this.patcher.restoreAll();
  }

  /** A gradient call inside the closure (passed through by the gradient tap). */
  nestedGradient(): void {
    this.nestedGradients++;
  }

  private recordOp(kernel: string, inputs: Record<string, Tensor | null> | (Tensor | null)[], attrs: NamedAttrMap, outputs: Tensor[]): void {
    const index = this.ops.length;
    const op: RecordedOp = { kernel, inputs: [], listInputs: Array.isArray(inputs), attrs, outputs: [], variables: [], held: true, units: [...this.open] };
    let tainted = false;
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) {
        op.inputs.push([name, t]);
        continue;
      }
      op.inputs.push([name, this.see(t)]);
      const variable = this.variables.get(t.id);
      if (variable) op.variables.push({ variable, dataId: t.dataId });
      if (this.tainted.has(t.id)) tainted = true;
    }
    const budget = this.held.bytes < this.maxBytes;
    for (const t of outputs) {
      this.producer.set(t.id, index);
      op.outputs.push(t.id);
      if (tainted) this.tainted.add(t.id);
      if (!budget || !this.held.hold(t)) op.held = false;
    }
    this.ops.push(op);
  }

  /** Registers a tensor the call uses: a constant (held) unless a recorded op produced it. */
  private see(t: Tensor): number {
    if (this.producer.has(t.id) || this.variables.has(t.id) || this.held.has(t.id)) return t.id;
    if (t instanceof this.core.Variable) this.variables.set(t.id, t);
    else if (!this.held.hold(t)) this.problem ??= `a ${t.dtype} tensor the loss uses cannot be kept for replay`;
    return t.id;
  }

  /** Maps the tensors in an argument to ids, registering constants. */
  private shapeOf(x: unknown): Shape {
    if (x instanceof this.core.Tensor) return new TensorRef(this.see(x as Tensor));
    if (Array.isArray(x)) return x.map((v) => this.shapeOf(v));
    if (x != null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      return Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, this.shapeOf(v)]));
    }
    return new Literal(x);
  }

  private beforeAssign(variable: Variable): void {
    if (this.assigned.has(variable)) return;
    const backend = engineOf(this.core).state.tensorInfo.get(variable.dataId)?.backend;
    if (!backend) return;
    backend.incRef(variable.dataId);
    this.assigned.set(variable, { variable, before: variable.dataId, backend });
  }

  /** A read of a mode-dependent value: harmless if nothing the loss needs is computed after it (logging the
   *  loss before returning it); else its value could steer what follows (Replay decides, knowing what is live). */
  private readBack(method: string): void {
    if (this.readBacks.length >= 16) return;
    const at = captureUserFrame(this.isInternal);
    this.readBacks.push({ op: this.ops.length, method, where: at ? ` at ${at.file.split(/[\\/]/).pop()}:${at.line}` : '' });
  }

  /**
   * Runs a layer call. An outermost one (not inside another unit) is a layer unit: kwargs reach the layer with
   * a `training` that notes whether the layer reads it.
   */
  layerCall<T>(layer: Layer, layerId: number, training: boolean, inputs: unknown, kwargs: Record<string, unknown> | undefined, run: (kwargs: Record<string, unknown>) => T): T {
    if (this.open.length > 0) return run(kwargs ?? {});
    const unit: LayerUnit = {
      kind: 'layer', layer, layerId, training, modeDependent: false,
      inputs: this.shapeOf(inputs),
      kwargs: Object.fromEntries(Object.entries(kwargs ?? {}).filter(([k]) => k !== 'training').map(([k, v]) => [k, this.shapeOf(v)])),
      outputs: [], start: 0, end: 0, within: [],
    };
    const watched: Record<string, unknown> = { ...(kwargs ?? {}) };
    Object.defineProperty(watched, 'training', {
      enumerable: true, configurable: true,
      get: () => {
        if (!inDebuggerCode()) unit.modeDependent = true;
        return kwargs?.training;
      },
      set: (v: unknown) => { Object.defineProperty(watched, 'training', { value: v, enumerable: true, configurable: true, writable: true }); },
    });
    const out = this.inUnit(unit, () => run(watched));
    if (unit.modeDependent) for (const id of ids(unit.outputs)) this.tainted.add(id);
    return out;
  }

  private inUnit<T>(unit: RecordedUnit, run: () => T): T {
    unit.within = [...this.open];
    unit.start = this.ops.length;
    this.open.push(this.units.length);
    this.units.push(unit);
    let out: T;
    try {
      out = run();
    } finally {
      this.open.pop();
      unit.end = this.ops.length;
    }
    unit.outputs = this.shapeOf(out);
    return out;
  }

  /** Why the recorded call cannot be replayed, once the forward pass is over. */
  finalProblem(): string | null {
    if (this.problem) return this.problem;
    if (this.nestedGradients > 0 && this.units.some((u) => u.kind === 'layer' && u.modeDependent && u.training)) {
      return 'the loss closure takes a gradient itself (a higher-order gradient) through a layer whose ' +
        'computation depends on the mode, which replay cannot redo in inference mode';
    }
    return null;
  }

  /** Gives back every hold (kernel outputs, constants, assigned variables' earlier data). */
  dispose(): void {
    this.uninstall();
    this.held.releaseAll();
    const engine = engineOf(this.core);
    for (const v of this.assigned.values()) {
      if (v.backend.disposeData(v.before)) engine.removeDataId(v.before, v.backend);
    }
    this.assigned.clear();
  }
}

/** Every tensor id in an argument. */
export function ids(shape: Shape): number[] {
  if (shape instanceof TensorRef) return [shape.id];
  if (shape instanceof Literal) return [];
  if (Array.isArray(shape)) return shape.flatMap(ids);
  return Object.values(shape).flatMap(ids);
}

/** The argument again, with each tensor reference given by `tensor`. */
export function rebuild(shape: Shape, tensor: (id: number) => Tensor): unknown {
  if (shape instanceof TensorRef) return tensor(shape.id);
  if (shape instanceof Literal) return shape.value;
  if (Array.isArray(shape)) return shape.map((s) => rebuild(s, tensor));
  return Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, rebuild(s, tensor)]));
}
