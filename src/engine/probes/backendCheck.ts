// The cross-backend check: a recorded gradient call's forward pass replayed on the cpu backend, layer by layer,
// against what the page's backend (webgl, webgpu) computed. Each recorded kernel runs again as tfjs-backend-cpu's
// own kernel function on copies of its inputs (getKernel(name, 'cpu').kernelFunc, outside the engine: nothing the
// user's tfjs tracks, no backend switch). The first layer whose output differs beyond the tolerance, and the
// first whose output holds NaN or Inf where cpu's does not, point at a backend bug (tfjs issues #5145, #1321,
// #5800: webgl returning nonsense or NaN where cpu is right) rather than at the model.
//
// It reads the page's values it needs (the inputs no recorded op made, the outputs it compares) in the call's one
// batched read (readback.ts), with the call's statistics: no read of its own, no program of its own to compile on
// webgl beyond a decode per tensor shape (and a slice per output, for a pass too large to read whole). The pass
// on cpu (a CpuPass: plain data) runs once they are read: at once (runCheck); or in a page (runCheckInPage), off
// its thread, in a worker of the debugger's own with tfjs's cpu kernels (checkInWorker.ts); or, for a small pass
// or where the page forbids such a worker, in slices of a few milliseconds, one per frame with room for it
// (runCheckInSlices). On the page's thread one cpu kernel cannot be cut: at the batch of 320
// tfjs-examples/mnist trains with, its second conv2d takes 0.36 s on cpu, a frame the page's user sees stall.
// The call's record does not wait for the check: it follows the record as an event of its own (gradientTap.ts).
import type { BackendCheck } from '../../protocol/report.ts';
import type { ForwardRecording, RecordedOp } from './forwardRecording.ts';
import type { ReadbackBatch, Slot } from '../readback/readback.ts';
import { asDebugger } from '../probeEnvironment.ts';
import { engineOf, type BackendValues, type DataId, type DataType, type KernelBackend, type NamedTensorInfoMap, type TfjsCore } from '../tfjs.ts';
import { ids, kernelInputs } from './forwardRecording.ts';
import { startCheckWorker, type CheckWorker } from './checkInWorker.ts';

/** Largest |page − cpu| over largest |cpu|, per layer output, over which a layer counts as diverging. */
export const DIVERGENCE_TOLERANCE = 1e-3;

/** Values the check reads at most (32 MB of float32): of a larger forward pass, the layer outputs of the batch's
 *  first examples are compared. */
export const CHECK_MAX_ELEMENTS = 1 << 23;

/** A pass that reads fewer values than this runs on the page's thread, in slices, not in the worker. Its kernels
 *  are small (a kernel's multiply-adds grow at most as the 1.5th power of the values it reads and writes: some 3M,
 *  17 ms on the bench machine's cpu, at worst), and starting the worker (0.4 MB of script, tfjs's kernels) costs
 *  more than such a pass. On a machine with few cores the worker also competes with the page's own work: in the
 *  page bench (webgl on a software GPU, 2 cores, a pass of about 20K values), it made one or two more frames per
 *  load over 100 ms, where the slices made none. */
export const WORKER_MIN_VALUES = 1 << 16;

/** The pass on cpu in slices does at most this much work per frame, in ms. */
const SLICE_MS = 12;
/** A frame this long is one the page's user sees stall: a slice ends before the frame it runs in is this old
 *  (LONG_FRAME_MS less a margin). The margin is for what the browser does after it (painting), and for the display's
 *  refresh: the next frame starts at a vsync, so a frame whose work ends past 83.3 ms is 100 ms long at 60 Hz, or
 *  longer (in the page bench, frames of 101-102 ms whose slice ended within 90 ms of the frame's start). */
const LONG_FRAME_MS = 100;
const FRAME_MARGIN_MS = 25;
/** Frames in a row with no room, after which a page's frames count as long on their own (its steps take longer
 *  than a frame): slices then run in them all the same, as long as they stay that way. */
const LONG_FRAMES_IN_A_ROW = 10;
/** A visible page that shows no frame for this long is taken to have none (hidden meanwhile), in ms. */
const NO_FRAME_MS = 1000;

interface Info {
  dataId: DataId;
  shape: number[];
  dtype: DataType;
}

type Problem = { problem: string };

/** A check's pass on cpu, as plain data (it can be posted to a worker): the recorded ops that lead to the loss,
 *  in order; the page's tensors it starts from (the inputs no such op made, and the outputs it compares), by id;
 *  and the outermost layer calls' outputs to compare. */
export interface CpuPass {
  ops: Pick<RecordedOp, 'kernel' | 'inputs' | 'listInputs' | 'attrs' | 'outputs'>[];
  reads: [number, { shape: number[]; dtype: DataType }][];
  compared: { id: number; layer: number }[];
  /** Where the outputs compared are the batch's first examples only. */
  examples?: { compared: number; of: number };
}

/** The page's values of a pass's reads, by tensor id. */
export type PassValues = Map<number, BackendValues>;

/** What a check computes, and where the page's tensors it reads are. */
interface CheckPlan {
  pass: CpuPass;
  reads: Map<number, Info>;
}

/** A check whose page values are on their way in a batch. */
export interface PendingCheck {
  plan: CheckPlan;
  slots: Map<number, Slot>;
  /** The page values it reads. */
  values: number;
}

/** Plans the check of a recorded call and adds the page values it needs to the call's batch (probe-only slots).
 *  The pass's inputs are read whole; of the layer outputs it compares, where all of them would take the read past
 *  CHECK_MAX_ELEMENTS, the first examples of the batch (the most that fit; the pass on cpu still runs on all). */
export function prepareCheck(core: TfjsCore, recording: ForwardRecording, lossId: number, layerId: (unitIndex: number) => number, batch: ReadbackBatch): PendingCheck | Problem {
  const plan = planCheck(core, recording, lossId, layerId);
  if ('problem' in plan) return plan;
  const compared = new Set(plan.pass.compared.map((c) => c.id));
  let inputs = 0;
  for (const [id, info] of plan.reads) if (!compared.has(id)) inputs += core.util.sizeFromShape(info.shape);
  const outputs = [...compared].map((id) => (plan.reads.get(id) as Info).shape);
  const batchSize = Math.max(1, ...outputs.map((shape) => shape[0] ?? 1));
  const rows = rowsToCompare(core, outputs, batchSize, CHECK_MAX_ELEMENTS - inputs);
  if (rows == null) {
    return { problem: `the forward pass holds ${inputs} input values and ${sizeOfRows(core, outputs, 1)} output values in one example, more than the ${CHECK_MAX_ELEMENTS} the check reads` };
  }
  if (rows < batchSize) plan.pass.examples = { compared: rows, of: batchSize };
  const slots = new Map([...plan.reads].map(([id, info]) => [id, batch.occasional(batch.addData(info, compared.has(id) ? rows : undefined))]));
  return { plan, slots, values: inputs + sizeOfRows(core, outputs, rows) };
}

/** In a page, the worker a check's pass is to run in, started now (see startCheckWorker); null for a pass small
 *  enough for the page's thread (WORKER_MIN_VALUES). */
export function checkWorkerFor(check: PendingCheck): CheckWorker | null {
  return check.values >= WORKER_MIN_VALUES ? startCheckWorker() : null;
}

/** The values in the first `rows` rows of each of these shapes (a rank-0 shape is one row of one value). */
function sizeOfRows(core: TfjsCore, shapes: number[][], rows: number): number {
  return shapes.reduce((sum, shape) => sum + Math.min(shape[0] ?? 1, rows) * core.util.sizeFromShape(shape.slice(1)), 0);
}

/** The most rows (examples, up to `batchSize`) of every output that fit in `budget` values together, or null when
 *  one does not. */
function rowsToCompare(core: TfjsCore, shapes: number[][], batchSize: number, budget: number): number | null {
  if (sizeOfRows(core, shapes, 1) > budget) return null;
  let [fits, over] = [1, batchSize + 1];
  while (over - fits > 1) {
    const mid = Math.floor((fits + over) / 2);
    if (sizeOfRows(core, shapes, mid) <= budget) fits = mid;
    else over = mid;
  }
  return fits;
}

/** The check, once the batch is read. */
export function runCheck(core: TfjsCore, check: PendingCheck, batch: ReadbackBatch): BackendCheck {
  return runPass(core, check.plan.pass, pageValues(check, batch));
}

/** A pass on `core`'s cpu kernels, at once. */
export function runPass(core: TfjsCore, pass: CpuPass, values: PassValues): BackendCheck {
  const steps = onCpu(core, pass, values);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/** The same, in slices of at most SLICE_MS, one per frame, each in what the frame leaves of LONG_FRAME_MS: a
 *  frame the page made long already (its first ones compile and warm up its programs) gets none. */
export async function runCheckInSlices(core: TfjsCore, cpuPass: CpuPass, values: PassValues): Promise<BackendCheck> {
  const pass = onCpu(core, cpuPass, values);
  const frames = { longInARow: 0 };
  for (;;) {
    const end = await nextSlice(frames);
    do {
      const step = asDebugger(() => pass.next());
      if (step.done) return step.value;
    } while (performance.now() < end);
  }
}

/** In a page: in the debugger's worker (checkWorkerFor), off the page's thread; where none started, in slices
 *  on it. */
export async function runCheckInPage(core: TfjsCore, check: PendingCheck, batch: ReadbackBatch, worker: CheckWorker | null): Promise<BackendCheck> {
  const version = String(core.version_core ?? '');
  // The worker leaves the values untouched when it does not take them (CheckWorker.run).
  const values = pageValues(check, batch);
  return (await worker?.run(check.plan.pass, values, version)) ?? runCheckInSlices(core, check.plan.pass, values);
}

/** Waits for a frame with room for a slice, and returns when the slice must end (performance.now() time). */
async function nextSlice(frames: { longInARow: number }): Promise<number> {
  for (;;) {
    const frameStart = await afterNextFrame();
    const now = performance.now();
    const end = Math.min(now + SLICE_MS, frameStart + LONG_FRAME_MS - FRAME_MARGIN_MS);
    if (end > now) {
      frames.longInARow = 0;
      return end;
    }
    if (++frames.longInARow >= LONG_FRAMES_IN_A_ROW) return now + SLICE_MS;
  }
}

/** Resolves in a task after the page's next animation frame (so after the page's own work in that frame), with the
 *  frame's start. A worker's frames are not the page's, and a hidden page has none: there, and when no frame
 *  comes for a while (the page hidden meanwhile), it resolves after a task, with the current time. */
function afterNextFrame(): Promise<number> {
  const scope = globalThis as { requestAnimationFrame?: (callback: (frameStart: number) => void) => number; document?: { visibilityState?: string } };
  const raf = scope.document?.visibilityState === 'visible' ? scope.requestAnimationFrame : undefined;
  return new Promise((resolve) => {
    const fallback = setTimeout(() => resolve(performance.now()), raf ? NO_FRAME_MS : 0);
    raf?.((frameStart) => {
      clearTimeout(fallback);
      setTimeout(() => resolve(frameStart), 0);
    });
  });
}

/** The page's values by tensor id, typed as the tensors were (a batch read with others reads them as float32):
 *  the batch's own arrays where they are typed so already, not copies. */
function pageValues(check: PendingCheck, batch: ReadbackBatch): PassValues {
  const types = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as Record<string, typeof Float32Array | typeof Int32Array | typeof Uint8Array>;
  return new Map([...check.slots].map(([id, slot]) => {
    const values = batch.getWhole(slot);
    const Type = types[(check.plan.reads.get(id) as Info).dtype] ?? Float32Array;
    return [id, values instanceof Type ? values : new Type(values)];
  }));
}

function planCheck(core: TfjsCore, recording: ForwardRecording, lossId: number, layerId: (unitIndex: number) => number): CheckPlan | Problem {
  if (!engineOf(core).findBackend('cpu')) return { problem: 'the cpu backend is not available in this tfjs build' };
  const { ops, producer, units } = recording;
  // Every op that leads to the loss, inner ones included (nothing is re-run as a unit here).
  const needed = new Set<number>();
  const stack = [lossId];
  const seen = new Set<number>();
  while (stack.length) {
    const id = stack.pop() as number;
    if (seen.has(id)) continue;
    seen.add(id);
    const op = producer.get(id);
    if (op == null || needed.has(op)) continue;
    needed.add(op);
    for (const [, input] of ops[op].inputs) if (input != null) stack.push(input);
  }
  const pass: CpuPass = { ops: [], reads: [], compared: [] };
  const reads = new Map<number, Info>();
  const made = new Set<number>();
  for (const index of [...needed].sort((a, b) => a - b)) {
    const op = ops[index];
    if (!core.getKernel?.(op.kernel, 'cpu')) return { problem: `the cpu backend has no ${op.kernel} kernel` };
    const { kernel, inputs, listInputs, attrs, outputs } = op;
    pass.ops.push({ kernel, inputs, listInputs, attrs, outputs });
    for (const [, id] of op.inputs) {
      if (id == null || made.has(id) || reads.has(id)) continue;
      // A variable as the kernel read it (the call may have assigned it since).
      const variable = recording.variables.get(id);
      const data = op.variables.find((v) => v.variable === variable)?.dataId ?? variable?.dataId;
      const info = variable ? { dataId: data as DataId, shape: variable.shape, dtype: variable.dtype } : recording.held.info(id);
      if (!info) throw new Error(`tensor ${id} is not kept`);
      if (!['float32', 'int32', 'bool'].includes(info.dtype)) return { problem: `${op.kernel} reads a ${info.dtype} tensor` };
      reads.set(id, info as Info);
    }
    for (const id of op.outputs) made.add(id);
  }
  // Each outermost layer call's outputs, in the order they ran.
  units.forEach((unit, index) => {
    if (unit.kind !== 'layer' || unit.within.length) return;
    for (const id of ids(unit.outputs)) {
      const info = recording.variables.get(id) ?? recording.held.info(id);
      if (!made.has(id) || !info) continue;
      reads.set(id, { dataId: info.dataId, shape: info.shape, dtype: info.dtype as DataType });
      pass.compared.push({ id, layer: layerId(index) });
    }
  });
  pass.reads = [...reads].map(([id, { shape, dtype }]) => [id, { shape, dtype }]);
  return { pass, reads };
}

/** Runs the pass's ops on `core`'s cpu kernels from the page's values, yielding after each, and compares the
 *  layer outputs. */
function* onCpu(core: TfjsCore, pass: CpuPass, page: PassValues): Generator<void, BackendCheck> {
  const cpu = untrackedOutputs(engineOf(core).findBackend('cpu') as KernelBackend);
  const reads = new Map(pass.reads);
  const onCpu = new Map<number, Info>();
  const created: DataId[] = [];
  const toCpu = (id: number): Info => {
    const have = onCpu.get(id);
    if (have) return have;
    const { shape, dtype } = reads.get(id) as Info;
    const info = { dataId: cpu.write(page.get(id) as BackendValues, shape, dtype), shape, dtype };
    created.push(info.dataId);
    onCpu.set(id, info);
    return info;
  };
  try {
    for (const op of pass.ops) {
      const kernel = core.getKernel?.(op.kernel, 'cpu');
      if (!kernel) throw new Error(`the cpu backend has no ${op.kernel} kernel`);
      const inputs = kernelInputs(op, (id) => (id == null ? id : toCpu(id))) as NamedTensorInfoMap;
      const out = kernel.kernelFunc({ inputs, attrs: op.attrs, backend: cpu });
      const outs: Info[] = Array.isArray(out) ? out : [out];
      outs.forEach((o, k) => {
        created.push(o.dataId);
        onCpu.set(op.outputs[k], o);
      });
      yield;
    }
    let worst: BackendCheck['worst'] = null;
    let firstDivergent: BackendCheck['firstDivergent'] = null;
    let firstNonFinite: number | null = null;
    for (const { id, layer } of pass.compared) {
      const theirs = cpu.readSync((onCpu.get(id) as Info).dataId) as ArrayLike<number>;
      const { error, pageNonFinite, cpuNonFinite } = compare(page.get(id) as ArrayLike<number>, theirs);
      if (!worst || error > worst.error) worst = { layer, error };
      if (!firstDivergent && error > DIVERGENCE_TOLERANCE) firstDivergent = { layer, error };
      if (firstNonFinite == null && pageNonFinite && !cpuNonFinite) firstNonFinite = layer;
    }
    const examples = pass.examples ? { examples: pass.examples } : {};
    return { against: 'cpu', tolerance: DIVERGENCE_TOLERANCE, layers: pass.compared.length, ...examples, worst, firstDivergent, firstNonFinite };
  } finally {
    for (const dataId of created) cpu.disposeData(dataId, true);
  }
}

/**
 * The cpu backend, for kernels called outside the engine, with outputs the engine does not track. A few cpu
 * kernels (Abs, ComplexAbs) make their output with makeOutput, which registers a tensor with the engine
 * (tfjs-backend-cpu/src/backend_cpu.ts: engine().makeTensorFromTensorInfo): tf.memory().numTensors then counted
 * one more for good (its data is freed here, not the engine's record of it). Here makeOutput makes the bare
 * TensorInfo that every other cpu kernel returns; everything else is the cpu backend's own.
 */
function untrackedOutputs(cpu: KernelBackend): KernelBackend {
  return Object.create(cpu, {
    makeOutput: { value: (values: BackendValues, shape: number[], dtype: DataType) => ({ dataId: cpu.write(values, shape, dtype), shape, dtype }) },
  }) as KernelBackend;
}

/** Largest difference relative to the largest magnitude on cpu; NaN or Inf on either side. Over the page's values,
 *  which may be the first of cpu's (CpuPass.examples). */
function compare(page: ArrayLike<number>, cpu: ArrayLike<number>): { error: number; pageNonFinite: boolean; cpuNonFinite: boolean } {
  let diff = 0;
  let scale = 0;
  let pageNonFinite = false;
  let cpuNonFinite = false;
  for (let i = 0; i < page.length; i++) {
    const a = page[i];
    const b = cpu[i];
    if (!Number.isFinite(a)) pageNonFinite = true;
    if (!Number.isFinite(b)) cpuNonFinite = true;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      diff = Math.max(diff, Math.abs(a - b));
      scale = Math.max(scale, Math.abs(b));
    }
  }
  return { error: diff / Math.max(scale, 1e-6), pageNonFinite, cpuNonFinite };
}
