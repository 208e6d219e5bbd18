// Replays a recorded gradient call (forwardRecording.ts) in other modes, to get the loss the same weights and
// batch give in inference mode, without running the user's closure again.
//
// A pass gives each recorded layer call a mode. A mode-dependent layer whose pass mode differs from the mode
// it ran in is re-run: layer.apply on the pass's inputs, in the pass's mode (only tfjs-layers code, or a custom
// layer's own call, runs). A fused op the gradient had split into kernels is called again as the fused op.
// Every other recorded kernel is replayed: the same kernel with the same attributes, on the pass's inputs.
// Constants (the batch, labels, the dropout mask and any noise drawn in the call) are the call's own, so a pass
// reproduces every random number the call used.
//
// A pass only computes what differs from a parent pass: a kernel runs again when one of its inputs differs,
// when a variable it reads holds other data than in the parent (moving statistics put back to their values
// before the call), or when the parent computed it another way (inside a re-run unit, or not at all). Everything
// else is the parent's value, and at the root the call's own (held) value. So a pass costs the part of a
// forward pass from the first thing that changes: the first re-run unit for the loss before the call, the
// first moved statistics for the loss after it, the one layer put back in training mode for attribution.
import {
  ForwardRecording, ids, kernelInputs, Literal, rebuild, TensorRef, type RecordedOp, type RecordedUnit, type LayerUnit, type Shape,
} from './forwardRecording.ts';
import { releaseData, wrapData } from './heldTensors.ts';
import type { TfjsMethod } from '../patcher.ts';
import { engineOf, type DataId, type Engine, type KernelBackend, type Layer, type NamedTensorMap, type Tensor, type TfjsCore, type Variable } from '../tfjs.ts';

/** The mode a layer call runs in during a pass (true: training). */
export type PassModes = (unit: LayerUnit) => boolean;

export const ALL_INFERENCE: PassModes = () => false;

/** One replay pass: the values it computed (those that differ from its parent's). */
export class Pass {
  readonly values = new Map<number, Tensor>();
  /** The data each variable held during the pass. */
  readonly variables = new Map<Variable, DataId>();
  private readonly wrappers = new Map<number, Tensor>();

  constructor(readonly parent: Pass | null, readonly modes: PassModes) {}

  /** Whether the pass calls the unit again as a whole: a mode-dependent layer in another mode than it ran in,
   *  or a fused op (the root, the recorded call itself, re-runs nothing). */
  reruns(unit: RecordedUnit): boolean {
    return unit.kind === 'fused' || (unit.modeDependent && this.modes(unit) !== unit.training);
  }

  /** The tensor's value as this pass or one of its parents computed it. */
  private computed(id: number): Tensor | undefined {
    return this.values.get(id) ?? this.parent?.computed(id);
  }

  /** The tensor's value in this pass. */
  value(replay: Replay, id: number): Tensor {
    const computed = this.computed(id);
    if (computed) return computed;
    let w = this.wrappers.get(id);
    if (!w) {
      w = replay.recorded(id);
      this.wrappers.set(id, w);
    }
    return w;
  }
}

/** Whether a pass (null: the recorded call) re-runs a unit. */
const reruns = (pass: Pass | null, unit: RecordedUnit) => pass != null && pass.reruns(unit);

export class Replay {
  /** Ops and units that lead to the loss. */
  private readonly liveOps = new Set<number>();
  private readonly liveUnits = new Set<number>();
  /** Units by the op index they start at. */
  private readonly unitsAt = new Map<number, number[]>();
  private readonly engine: Engine;
  /** Why the call cannot be replayed, when it cannot. */
  readonly problem: string | null;

  constructor(private readonly core: TfjsCore, private readonly recording: ForwardRecording, readonly lossId: number) {
    this.engine = engineOf(core);
    recording.units.forEach((u, i) => {
      const at = this.unitsAt.get(u.start) ?? [];
      at.push(i);
      this.unitsAt.set(u.start, at);
    });
    this.markLive();
    this.problem = recording.finalProblem() ?? this.steeringReadBack() ?? this.innerTensorUsedOutside();
    this.releaseDead();
  }

  /** The recorded layer calls. */
  get layerCalls(): LayerUnit[] {
    return this.recording.units.filter((u): u is LayerUnit => u.kind === 'layer');
  }

  /** A unit that a pass may call again as a whole. */
  private mayRerun(unit: RecordedUnit): boolean {
    return unit.kind === 'fused' || unit.modeDependent;
  }

  /**
   * Marks what leads to the loss: the op that produced each needed tensor, and a unit that may be re-run
   * whose output is needed, with its inputs. A fused unit is always re-run, so the kernels in it are not.
   */
  private markLive(): void {
    const { ops, producer, units } = this.recording;
    const unitsOf = new Map<number, number[]>();
    units.forEach((u, i) => {
      if (this.mayRerun(u)) for (const id of ids(u.outputs)) unitsOf.set(id, [...(unitsOf.get(id) ?? []), i]);
    });
    const seen = new Set<number>();
    const stack = [this.lossId];
    while (stack.length) {
      const id = stack.pop() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const u of unitsOf.get(id) ?? []) {
        if (this.liveUnits.has(u)) continue;
        this.liveUnits.add(u);
        const unit = units[u];
        stack.push(...ids(unit.inputs), ...(unit.kind === 'layer' ? Object.values(unit.kwargs).flatMap(ids) : []));
      }
      const op = producer.get(id);
      if (op == null || this.liveOps.has(op) || ops[op].units.some((u) => units[u].kind === 'fused')) continue;
      this.liveOps.add(op);
      for (const [, input] of ops[op].inputs) if (input != null) stack.push(input);
    }
  }

  /** A read of a mode-dependent value followed by kernels the loss needs: its value could have steered them. */
  private steeringReadBack(): string | null {
    const units = [...this.liveUnits].map((u) => this.recording.units[u].end - 1);
    const last = Math.max(-1, ...this.liveOps, ...units);
    const read = this.recording.readBacks.find((r) => r.op <= last);
    return read
      ? `the loss closure reads back (${read.method}${read.where}) a tensor computed from a layer whose output ` +
        'depends on the mode, then computes more of the loss, so its inference-mode loss cannot be replayed'
      : null;
  }

  /** A live op outside a unit that may be re-run, using one of the unit's inner tensors, could not see the
   *  re-run unit's version of it. */
  private innerTensorUsedOutside(): string | null {
    const { ops, units } = this.recording;
    for (const [i, unit] of units.entries()) {
      if (!this.mayRerun(unit) || !this.liveUnits.has(i)) continue;
      const outputs = new Set(ids(unit.outputs));
      const inner = new Set(ops.slice(unit.start, unit.end).flatMap((op) => op.outputs).filter((id) => !outputs.has(id)));
      const leak = inner.has(this.lossId) ||
        [...this.liveOps].some((o) => !ops[o].units.includes(i) && ops[o].inputs.some(([, id]) => id != null && inner.has(id)));
      if (leak) {
        const what = unit.kind === 'layer' ? `layer ${String(unit.layer.name)}` : `tf.fused.${unit.op}`;
        return `${what} leaves a tensor of its own computation to the loss besides its output, so it cannot be run again`;
      }
    }
    return null;
  }

  /** Gives back the data of kernel outputs no live op needs (layer outputs stay, for the cross-backend check). */
  private releaseDead(): void {
    const layerOutputs = new Set(this.recording.units.flatMap((u) => (u.kind === 'layer' ? ids(u.outputs) : [])));
    this.recording.ops.forEach((op, i) => {
      if (this.liveOps.has(i)) return;
      for (const id of op.outputs) if (!layerOutputs.has(id)) this.recording.held.release(id);
    });
  }

  /** The recorded value of a constant, variable or held kernel output. */
  recorded(id: number): Tensor {
    return this.recording.variables.get(id) ?? this.recording.held.tensor(id);
  }

  /** Runs a pass. Its tensors belong to the current scope. */
  run(modes: PassModes, parent: Pass | null = null): Pass {
    const pass = new Pass(parent, modes);
    const { ops, units } = this.recording;
    for (const v of this.variablesRead()) pass.variables.set(v, v.dataId);
    for (let i = 0; i <= ops.length; i++) {
      for (const u of this.unitsAt.get(i) ?? []) this.runUnit(pass, units[u], u);
      if (i < ops.length && this.liveOps.has(i)) this.runOp(pass, ops[i]);
    }
    return pass;
  }

  /** The loss a pass computed, as a kept one-element tensor the caller owns. */
  loss(pass: Pass): Tensor {
    const core = this.core;
    const t = pass.value(this, this.lossId);
    return core.keep(t.size === 1 ? core.reshape(t, [1]) : core.reshape(core.sum(t), [1]));
  }

  private variablesRead(): Set<Variable> {
    const read = new Set<Variable>();
    for (const i of this.liveOps) for (const v of this.recording.ops[i].variables) read.add(v.variable);
    for (const i of this.liveUnits) for (const v of this.unitVariables(this.recording.units[i])) read.add(v);
    return read;
  }

  /** The variables a unit reads when called again: the layer's weights, or the fused op's variable inputs. */
  private unitVariables(unit: RecordedUnit): Variable[] {
    if (unit.kind === 'layer') return layerVariables(unit.layer);
    return ids(unit.inputs).map((id) => this.recording.variables.get(id)).filter((v): v is Variable => v != null);
  }

  /** Whether a pass skips what lies inside these units: one of them is re-run as a whole. */
  private insideRerun(pass: Pass | null, within: number[]): boolean {
    return within.some((u) => reruns(pass, this.recording.units[u]));
  }

  private runUnit(pass: Pass, unit: RecordedUnit, index: number): void {
    if (!this.liveUnits.has(index) || !pass.reruns(unit) || this.insideRerun(pass, unit.within)) return;
    const parent = pass.parent;
    const inputs = [...ids(unit.inputs), ...(unit.kind === 'layer' ? Object.values(unit.kwargs).flatMap(ids) : [])];
    const clean = parent != null && parent.reruns(unit) && !this.insideRerun(parent, unit.within) &&
      (unit.kind === 'fused' || parent.modes(unit) === pass.modes(unit)) &&
      !inputs.some((id) => pass.values.has(id)) &&
      this.unitVariables(unit).every((v) => parent.variables.get(v) === v.dataId);
    if (clean) return;
    const tensor = (id: number) => pass.value(this, id);
    const out = unit.kind === 'layer'
      ? unit.layer.apply(rebuild(unit.inputs, tensor), { ...(rebuild(unit.kwargs, tensor) as object), training: pass.modes(unit) })
      : (this.core.fused[unit.op] as TfjsMethod)(rebuild(unit.inputs, tensor));
    zip(unit.outputs, out, (id, t) => pass.values.set(id, t));
  }

  private runOp(pass: Pass, op: RecordedOp): void {
    if (this.insideRerun(pass, op.units)) return;
    const parent = pass.parent;
    const dirty =
      // the parent did not compute it this way, or (the recorded call) did not keep it
      this.insideRerun(parent, op.units) || (!op.held && parent == null) ||
      op.inputs.some(([, id]) => id != null && pass.values.has(id)) ||
      op.variables.some(({ variable, dataId }) => variable.dataId !== (parent ? parent.variables.get(variable) : dataId));
    if (!dirty) return;
    // An optional input the kernel got as null or undefined is passed on as it was; a list stays a list.
    const inputs = kernelInputs(op, (id) => (id == null ? id : pass.value(this, id))) as NamedTensorMap;
    const out = this.engine.runKernel(op.kernel, inputs, op.attrs);
    const outs: Tensor[] = Array.isArray(out) ? out : [out];
    op.outputs.forEach((id, k) => pass.values.set(id, outs[k]));
  }

  /**
   * Puts the data the call's assigned variables had before it (BatchNormalization moving statistics) back
   * into them, and returns what sets their current data again.
   */
  stateBeforeCall(): () => void {
    const engine = this.engine;
    const swaps = [...this.recording.assigned.values()].map(({ variable, before, backend }) => {
      const after = { dataId: variable.dataId, backend: engine.state.tensorInfo.get(variable.dataId)?.backend ?? backend };
      after.backend.incRef(after.dataId);
      setData(engine, variable, before, backend);
      return { variable, after };
    });
    return () => {
      for (const { variable, after } of swaps.reverse()) {
        setData(engine, variable, after.dataId, after.backend);
        releaseData(engine, after.dataId, after.backend);
      }
    };
  }

  /**
   * Keeps only what a pass after the optimizer step needs: the constants. Every kernel is computed again then
   * (the weights it reads have changed).
   */
  keepConstantsOnly(): void {
    for (const op of this.recording.ops) {
      op.held = false;
      for (const id of op.outputs) this.recording.held.release(id);
    }
  }

  dispose(): void {
    this.recording.dispose();
  }
}

/** Makes a variable hold the given data (Variable.assign takes its own reference to it). */
function setData(engine: Engine, variable: Variable, dataId: DataId, backend: KernelBackend): void {
  const t = wrapData(engine, dataId, variable.shape, variable.dtype, backend);
  try {
    variable.assign(t);
  } finally {
    t.dispose();
  }
}

/** The tf.Variables behind a layer's weights (LayerVariable.read(): tfjs-layers/src/variables.ts). */
function layerVariables(layer: Layer): Variable[] {
  return (layer.weights ?? []).map((w) => w.read?.()).filter((v): v is Variable => v != null);
}

/** Calls fn with each tensor reference in a recorded output shape and the tensor at the same place in out. */
function zip(shape: Shape, out: unknown, fn: (id: number, t: Tensor) => void): void {
  if (shape instanceof TensorRef) {
    fn(shape.id, out as Tensor);
  } else if (Array.isArray(shape)) {
    shape.forEach((s, i) => zip(s, (out as unknown[])?.[i], fn));
  } else if (!(shape instanceof Literal)) {
    for (const [k, s] of Object.entries(shape)) zip(s, (out as Record<string, unknown>)?.[k], fn);
  }
}
