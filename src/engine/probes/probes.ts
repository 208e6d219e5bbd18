// Probes: the losses a recorded gradient call's weights and batch give in other modes, by replay (replay.ts).
// - loss before: every layer in inference mode, with the state from before the call (the moving statistics
//   the call moved are put back for the duration);
// - loss after: every layer in inference mode, with the state the call left;
// - attribution: one mode-dependent layer at a time in training mode as it ran in the call (its own recorded
//   kernels, its dropout mask), every other one in inference mode, from the state before the call;
// - loss after the step: every layer in inference mode once an optimizer applied the gradients.
// Every probe runs as the debugger's own code (probeEnvironment.ts): no tape, inside tidy, its own random
// stream, silent console and stdout. While it runs the layer tap lets layer calls through untouched.
import { isolated, withTapeOff } from '../probeEnvironment.ts';
import { ALL_INFERENCE, type Pass, type Replay } from './replay.ts';
import { type Layer, type Tensor, type TfjsCore, engineOf } from '../tfjs.ts';

const PROBE_SEED = 0x7f4a7c15;

export interface CallProbes {
  before: Tensor;
  after: Tensor;
  /** Time of the all-inference pass for the loss before, in ms: about what the pass after the step costs. */
  inferenceMs: number;
}

/** Decides, once lossBefore is known, which layers to attribute the gap to (none: no attribution). */
export type AttributionPlan = (before: Tensor) => Layer[];

export interface AttributedLoss {
  layer: Layer;
  loss: Tensor;
}

export class Prober {
  private running = false;

  constructor(private readonly core: TfjsCore) {}

  /** A probe is running: layer calls now are the probe's own. */
  get active(): boolean {
    return this.running;
  }

  /** The losses before and after the call and, as the plan decides, per attributed layer. The caller owns the
   *  returned tensors. */
  callProbes(replay: Replay, plan: AttributionPlan): CallProbes & { attribution: AttributedLoss[] } {
    return this.probe(() => {
      const restore = replay.stateBeforeCall();
      let before: Tensor;
      let inference: Pass;
      let inferenceMs: number;
      let attribution: AttributedLoss[] = [];
      try {
        const started = performance.now();
        inference = replay.run(ALL_INFERENCE);
        before = replay.loss(inference);
        inferenceMs = performance.now() - started;
        for (const layer of plan(before)) {
          attribution.push({ layer, loss: scoped(this.core, () => replay.loss(attributionPass(replay, layer, inference))) });
        }
      } catch (e) {
        attribution.forEach((a) => a.loss.dispose());
        attribution = [];
        throw e;
      } finally {
        restore();
      }
      // The same pass with the moving statistics the call left: it differs from the first one only from the
      // layers whose statistics moved.
      try {
        const after = scoped(this.core, () => replay.loss(replay.run(ALL_INFERENCE, inference)));
        return { before, after, attribution, inferenceMs };
      } catch (e) {
        before.dispose();
        attribution.forEach((a) => a.loss.dispose());
        throw e;
      }
    });
  }

  /** The loss once the optimizer step changed the weights. The caller owns the tensor. */
  afterStep(replay: Replay): Tensor {
    return this.probe(() => replay.loss(replay.run(ALL_INFERENCE)));
  }

  private probe<T>(fn: () => T): T {
    const engine = engineOf(this.core);
    this.running = true;
    try {
      return isolated(PROBE_SEED, () => {
        const run = () => scoped(this.core, fn);
        // The tape is only on when the probe runs inside someone else's gradient call (higher order).
        return engine.state.gradientDepth > 0 ? withTapeOff(engine, run) : run();
      });
    } finally {
      this.running = false;
    }
  }
}

/** Runs fn in a scope that disposes every tensor it made except the kept ones (what it returns is kept).
 *  Unlike tidy it does not walk the result, which holds layers. */
function scoped<T>(core: TfjsCore, fn: () => T): T {
  const engine = engineOf(core);
  engine.startScope('tfjs-debugger probe');
  try {
    return fn();
  } finally {
    engine.endScope();
  }
}

/** The pass with only `layer` in training mode (as it ran in the call), from the all-inference pass. */
function attributionPass(replay: Replay, layer: Layer, allInference: Pass): Pass {
  return replay.run((u) => (u.layer === layer ? u.training : false), allInference);
}
