// The layer tap: Layer.prototype.apply. kwargs.training is the mode the layer actually uses (BatchNormalization.call
// and Dropout.call read it; predict passes false, fit passes true, a bare apply passes nothing, which means
// inference). A call outside a gradient call is counted by mode; inside one, it is recorded (callRecorder.ts) and,
// on probed calls, its forward pass too (forwardRecording.ts). Models run their layers inside themselves: the
// container stack says which models the current layer runs in (its parents, and what froze it).
import type { LayerInfo } from '../../protocol/report.ts';
import { directCaller } from '../callSites.ts';
import { asDebugger } from '../probeEnvironment.ts';
import { namingFailingLayer } from '../probes/failingLayer.ts';
import { isTensor, layerBaseClass, type Layer } from '../tfjs.ts';
import type { TapContext } from './tapContext.ts';

/** The models the current layer call runs in, outermost first. */
export class ContainerStack {
  private readonly stack: { info: LayerInfo; layer: Layer; inferenceAsked: boolean }[] = [];

  /** Runs fn with a model on the stack (its layers' calls are recorded as running in it). */
  run<T>(layer: Layer, info: LayerInfo, fn: () => T, inferenceAsked = false): T {
    this.stack.push({ info, layer, inferenceAsked });
    try {
      return fn();
    } finally {
      this.stack.pop();
    }
  }

  get innermost(): LayerInfo | undefined {
    return this.stack[this.stack.length - 1]?.info;
  }

  /** Whether a model the current layer runs in was called by the user's code with {training: false}. */
  get inferenceAsked(): boolean {
    return this.stack.some((c) => c.inferenceAsked);
  }

  /** The layer whose trainable = false freezes this one: itself, or the outermost model it runs in that is frozen. */
  frozenBy(layer: Layer, info: LayerInfo): number | null {
    return !layer.trainable ? info.id : this.stack.find((c) => !c.layer.trainable)?.info.id ?? null;
  }
}

export function installLayerTap(ctx: TapContext, containers: ContainerStack): void {
  const layerClass = ctx.layers ? layerBaseClass(ctx.layers) : null;
  if (layerClass) {
    ctx.registry.hookConstruction(layerClass);
    ctx.patcher.onRestore(() => ctx.registry.unhook());
    // An error a layer throws carries the innermost failing layer (failingLayer.ts), for a missing kernel's message.
    ctx.patcher.patch(layerClass.prototype, 'apply', (original) => {
      const apply: (this: object, inputs: unknown, kwargs?: Record<string, unknown>) => unknown = namingFailingLayer(function (this: object, inputs: unknown, kwargs?: Record<string, unknown>): unknown {
        const layer = this as Layer;
        const first = Array.isArray(inputs) ? inputs[0] : inputs;
        // A probe's own layer calls (a mode-dependent layer re-run in another mode) pass straight through.
        if (ctx.prober.active || !isTensor(ctx.core, first)) return original.call(layer, inputs, kwargs);
        const info = ctx.registry.info(layer);
        const training = asDebugger(() => Boolean(kwargs?.training));
        const parent = containers.innermost;
        if (parent) ctx.registry.addParent(info, parent);
        const { recorder, recording } = ctx.call;
        // Inference on purpose: {training: false} passed by the user's own code to this layer or a model it runs in
        // (not by predict or evaluate, which pass it too). Only asked inside gradient calls, where a rule reads it.
        const asked: boolean = recorder != null && !training && asDebugger(() => kwargs?.training === false) &&
          (containers.inferenceAsked || (!parent && calledByUser(ctx, apply)));
        if (info.isContainer) return containers.run(layer, info, () => original.call(layer, inputs, kwargs), asked);
        if (!recorder) {
          ctx.registry.countOutsideCall(info, training);
          return original.call(layer, inputs, kwargs);
        }
        // Frozen by its own flag, or by a model it runs in (tfjs-layers' Container keeps its layers' own flags
        // and drops their weights from its trainableWeights: engine/container.ts, set trainable).
        return recorder.recordLayerCall(layer, info, { training, inferenceAsked: asked, frozenBy: containers.frozenBy(layer, info) }, inputs, () => recording
          ? recording.layerCall(layer, info.id, training, inputs, kwargs, (watched) => original.call(layer, inputs, watched))
          : original.call(layer, inputs, kwargs));
      }, (layer) => ctx.registry.info(layer as Layer));
      return apply;
    });
  }
  // Read-only in an ES-module build: BatchNorm's batch statistics are then derived from its moving-average update.
  ctx.patcher.patch(ctx.core, 'moments', (original) => ctx.moments.wrap(original), null);
}

/** Whether the code that called `apply` (the installed Layer.prototype.apply) is the user's. */
function calledByUser(ctx: TapContext, apply: (...args: never[]) => unknown): boolean {
  const caller = directCaller(apply);
  return caller != null && !ctx.isInternal(caller.file);
}
