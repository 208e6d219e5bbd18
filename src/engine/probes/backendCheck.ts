// The cross-backend check: a recorded gradient call's forward pass replayed on the cpu backend, layer by layer,
// against what the page's backend (webgl, webgpu) computed. Each recorded kernel runs again as tfjs-backend-cpu's
// own kernel function on copies of its inputs (getKernel(name, 'cpu').kernelFunc, outside the engine: nothing the
// user's tfjs tracks, no backend switch). The first layer whose output differs beyond the tolerance, and the
// first whose output holds NaN or Inf where cpu's does not, point at a backend bug (tfjs issues #5145, #1321,
// #5800: webgl returning nonsense or NaN where cpu is right) rather than at the model.
import type { BackendCheck } from '../../protocol/report.ts';
import type { ForwardRecording } from './forwardRecording.ts';
import { engineOf, type BackendValues, type DataId, type DataType, type NamedTensorInfoMap, type TfjsCore } from '../tfjs.ts';
import { ids, kernelInputs } from './forwardRecording.ts';

/** Largest |page − cpu| over largest |cpu|, per layer output, over which a layer counts as diverging. */
export const DIVERGENCE_TOLERANCE = 1e-3;

interface Info {
  dataId: DataId;
  shape: number[];
  dtype: DataType;
}

export function checkAgainstCpu(core: TfjsCore, recording: ForwardRecording, lossId: number, layerId: (unitIndex: number) => number): BackendCheck | { problem: string } {
  const engine = engineOf(core);
  const cpu = engine.findBackend('cpu');
  if (!cpu) return { problem: 'the cpu backend is not available in this tfjs build' };
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
  const onCpu = new Map<number, Info>();
  const created: DataId[] = [];
  const pageValues = (id: number): { values: ArrayLike<number>; info: Info } | null => {
    const variable = recording.variables.get(id);
    const t = variable ?? recording.held.info(id);
    if (!t) return null;
    return { values: engine.readSync(t.dataId) as ArrayLike<number>, info: { dataId: t.dataId, shape: t.shape, dtype: t.dtype as DataType } };
  };
  const toCpu = (id: number): Info => {
    const have = onCpu.get(id);
    if (have) return have;
    const page = pageValues(id);
    if (!page) throw new Error(`tensor ${id} is not kept`);
    const dataId = cpu.write(page.values as BackendValues, page.info.shape, page.info.dtype);
    created.push(dataId);
    const info = { dataId, shape: page.info.shape, dtype: page.info.dtype };
    onCpu.set(id, info);
    return info;
  };
  try {
    for (const [index, op] of ops.entries()) {
      if (!needed.has(index)) continue;
      const kernel = core.getKernel?.(op.kernel, 'cpu');
      if (!kernel) return { problem: `the cpu backend has no ${op.kernel} kernel` };
      const inputs = kernelInputs(op, (id) => (id == null ? id : toCpu(id))) as NamedTensorInfoMap;
      const out = kernel.kernelFunc({ inputs, attrs: op.attrs, backend: cpu });
      const outs: Info[] = Array.isArray(out) ? out : [out];
      outs.forEach((o, k) => {
        created.push(o.dataId);
        onCpu.set(op.outputs[k], o);
      });
    }
    // Compare each outermost layer call's outputs, in the order they ran.
    let worst: BackendCheck['worst'] = null;
    let firstDivergent: BackendCheck['firstDivergent'] = null;
    let firstNonFinite: number | null = null;
    let compared = 0;
    units.forEach((unit, index) => {
      if (unit.kind !== 'layer' || unit.within.length) return;
      for (const id of ids(unit.outputs)) {
        const mine = onCpu.get(id);
        const page = mine && pageValues(id);
        if (!mine || !page) continue;
        const theirs = cpu.readSync(mine.dataId) as ArrayLike<number>;
        const { error, pageNonFinite, cpuNonFinite } = compare(page.values, theirs);
        compared++;
        const layer = layerId(index);
        if (!worst || error > worst.error) worst = { layer, error };
        if (!firstDivergent && error > DIVERGENCE_TOLERANCE) firstDivergent = { layer, error };
        if (firstNonFinite == null && pageNonFinite && !cpuNonFinite) firstNonFinite = layer;
      }
    });
    return { against: 'cpu', tolerance: DIVERGENCE_TOLERANCE, layers: compared, worst, firstDivergent, firstNonFinite };
  } finally {
    for (const dataId of created) cpu.disposeData(dataId, true);
  }
}

/** Largest difference relative to the largest magnitude on cpu; NaN or Inf on either side. */
function compare(page: ArrayLike<number>, cpu: ArrayLike<number>): { error: number; pageNonFinite: boolean; cpuNonFinite: boolean } {
  let diff = 0;
  let scale = 0;
  let pageNonFinite = false;
  let cpuNonFinite = false;
  for (let i = 0; i < cpu.length; i++) {
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
