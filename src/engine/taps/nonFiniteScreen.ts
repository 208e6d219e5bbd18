// NaN and Inf counts of a gradient call's layer outputs on a batched backend (webgl, webgpu: readback.ts).
// Reading the outputs back is what the batched strategy avoids, and even one reduction per output is a pass over
// every activation in every step (5–10% of a step on webgl in a page, bench/page.ts). So each output's data is
// held, and counted value by value only when the call itself says something is not finite: its value (the
// loss) or the sum of its gradients. A NaN or Inf anywhere in a layer's output reaches one of them, except one
// that a later layer absorbs while every gradient stays finite (sigmoid(Inf) = 1; a -Inf mask before a softmax):
// such a value is not counted on these calls. Probed calls count each layer's first output in its statistics.
// The hold is a reference on the backend's data, not a tensor: nothing is copied, and tf.memory().numTensors
// stays what the user's code made it, also while the values are on their way (the deferred strategy). A layer's
// outputs mostly stay alive for the backward pass anyway.
import type { ReadbackBatch, Slot } from '../readback/readback.ts';
import { nonFiniteTensor } from './layerStats.ts';
import { engineOf, type DataId, type DataType, type KernelBackend, type Tensor, type TfjsCore } from '../tfjs.ts';

interface Held<K> {
  key: K;
  data: { dataId: DataId; shape: number[]; dtype: DataType };
  backend: KernelBackend;
}

export class NonFiniteScreen<K> {
  private readonly held: Held<K>[] = [];
  /** The sum of the call's gradients. */
  private gradients: Slot | null = null;

  constructor(private readonly core: TfjsCore) {}

  /** Holds a float32 output (no other dtype holds NaN or Inf) until the call's values are read. */
  add(key: K, output: Tensor): void {
    if (output.dtype !== 'float32') return;
    const engine = engineOf(this.core);
    const backend = (engine.state.tensorInfo?.get(output.dataId)?.backend ?? engine.backendInstance) as KernelBackend;
    backend.incRef(output.dataId);
    this.held.push({ key, data: { dataId: output.dataId, shape: [...output.shape], dtype: output.dtype }, backend });
  }

  /** The call's gradients: their sum goes to the batch, as one sum over all of them (on webgl a sum per gradient
   *  was two or three programs per weight size to compile, and as many kernels in every step). Also on a call
   *  that holds nothing (the first, whose layers all get full statistics): a GPU backend compiles the sum's
   *  programs then, in the frame that compiles the page's own, rather than in the next. Call with the tape off. */
  addGradients(grads: Tensor[], batch: ReadbackBatch): void {
    const core = this.core;
    const floats = grads.filter((g) => g.dtype === 'float32' && g.size > 0);
    if (!floats.length) return;
    this.gradients = batch.add(core.tidy(() => core.reshape(core.sum(core.concat(floats.map((g) => core.reshape(g, [-1])))), [1])));
  }

  /** After the batch was read, given the call's value (its loss): the count per key (keys with none are left
   *  out); then the holds are released. The held outputs are counted, in one more read, only when the value or
   *  the gradients' sum is not finite. Call with the tape off. */
  counts(batch: ReadbackBatch, value: number | null): Map<K, number> {
    const counts = new Map<K, number>();
    const gradients = this.gradients == null ? 0 : batch.get(this.gradients)[0];
    this.gradients = null;
    const held = this.held.splice(0).map((h) => ({ key: h.key, tensor: this.release(h) }));
    try {
      if (!held.length || (Number.isFinite(value ?? 0) && Number.isFinite(gradients))) return counts;
      const core = this.core;
      const all = core.tidy(() => core.stack(held.map(({ tensor }) => nonFiniteTensor(core, tensor))));
      const values = all.dataSync();
      all.dispose();
      held.forEach(({ key }, i) => {
        if (values[i] > 0) counts.set(key, (counts.get(key) ?? 0) + values[i]);
      });
    } finally {
      for (const { tensor } of held) tensor.dispose();
    }
    return counts;
  }

  /** Releases the holds (also when the call failed). */
  dispose(): void {
    for (const h of this.held.splice(0)) this.release(h).dispose();
    this.gradients = null;
  }

  /** A tensor on a held output's data, which takes the hold over: makeTensorFromTensorInfo tracks a tensor without
   *  a new backend reference, and disposing it releases one (and the engine's record of the data when it was the
   *  last: tfjs-core/src/engine.ts, disposeTensor). */
  private release(h: Held<K>): Tensor {
    return engineOf(this.core).makeTensorFromTensorInfo(h.data, h.backend);
  }
}
