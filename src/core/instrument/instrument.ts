// Installs the taps on a tfjs instance and streams what they see as RunnerEvents.
//
// - Gradient tap: ENGINE.gradients, which every gradient API reaches (tfjs-core/src/engine.ts; grad, grads,
//   valueAndGrad(s) and variableGrads call it, Optimizer.minimize through variableGrads, and fit, fitDataset
//   and trainOnBatch through minimize: tfjs-layers/src/engine/training.ts, makeTrainFunction).
// - Layer tap: Layer.prototype.apply. kwargs.training is the mode the layer actually uses
//   (BatchNormalization.call and Dropout.call read it; predict passes false, fit passes true, a bare apply
//   passes nothing, which means inference).
// - API labels: thin wrappers on the public entry points, so each gradient call is named by the API the user
//   called and located at the user's line.
// - Optimizer step tap: every optimizer's applyGradients, for the loss after the weight update.
import type { GradientApi, RunOptions, RunnerEvent, SourceLocation } from '../../protocol.ts';
import { captureUserFrame, defaultIsInternal, type InternalPathTest } from './callSites.ts';
import { attributeGap, attributionSampler } from './attribution.ts';
import { CallRecorder } from './callRecorder.ts';
import { namingFailingLayer } from './failingLayer.ts';
import { LayerRegistry } from './layerRegistry.ts';
import { MomentsTap } from './layerStats.ts';
import { readStrategyFor, type ReadStrategy } from './readback.ts';
import { ProbeCache } from './probeCache.ts';
import { ProbeSchedule } from './probeSchedule.ts';
import { ALL_INFERENCE, Prober, probeLayerCall, type ProbeState } from './probes.ts';
import { isTensor, layerBaseClass, optimizerClasses, type Layer, type TfjsModules } from './tfjsModules.ts';

export interface InstrumentOptions extends RunOptions {
  emit: (event: RunnerEvent) => void;
  isInternal?: InternalPathTest;
  now?: () => number;
  /** Where a layer was declared when no user frame built it (a saved model's layers: their model.json line). */
  layerSource?: (layerName: string) => SourceLocation | null;
  /** How statistics come back from the backend; by default the cheaper one for the backend (readback.ts). */
  readStrategy?: ReadStrategy;
  /** Bytes of layer outputs a probed call may keep for its later passes (probeCache.ts); 0 turns reuse off. */
  probeCacheBytes?: number;
  /** Decides, per probed call with a gap, whether auto attribution runs (default: attributionSampler()).
   *  The benchmark shares one across its rounds to measure a long run's steady state. */
  sampleAttribution?: () => boolean;
  /** The schedule to continue (the benchmark keeps one across its rounds); by default a new one. */
  schedule?: ProbeSchedule;
}

export interface Instrumentation {
  readonly gradientCallCount: number;
  /** Emits whatever is still pending (a probed call waiting for an optimizer step, changed layers). */
  flush(): void;
  /** Removes every tap. */
  uninstall(): void;
}

interface ApiFrame {
  api: GradientApi;
  source: SourceLocation | null;
  /** A side-effect-free stand-in for the closure the gradient call will get (fit's loss closure pushes
   *  metrics into arrays it returns, so re-running it would change what fit returns). */
  closure?: (() => unknown) | null;
  closureError?: string;
}

interface PendingStep {
  closure: () => unknown;
  emitWith: (lossAfterStep: number | null, error: string | null) => void;
}

export function instrument(mods: TfjsModules, options: InstrumentOptions): Instrumentation {
  const { core, layers } = mods;
  const engine = core.engine();
  const isInternal = options.isInternal ?? defaultIsInternal;
  const now = options.now ?? (() => performance.now());
  const emit = options.emit;
  const restores: (() => void)[] = [];
  const registry = new LayerRegistry(layers, isInternal, options.layerSource);
  const probeState: ProbeState = { override: null, replay: null, record: null, reuse: null, position: 0 };
  const prober = new Prober(core, probeState);
  const apiStack: ApiFrame[] = [];
  const modelLabels = new WeakMap<object, ApiFrame>();
  const containerStack: ReturnType<LayerRegistry['info']>[] = [];
  const sampleAttribution = options.sampleAttribution ?? attributionSampler();
  const momentsTap = new MomentsTap();
  const schedule = options.schedule ?? new ProbeSchedule(options, now);
  /** Runs part of a probe, counting its time against the probe budget. */
  const timed = <T>(fn: () => T): T => {
    const t = now();
    try {
      return fn();
    } finally {
      schedule.spent(now() - t);
    }
  };
  let current: CallRecorder | null = null;
  let pending: PendingStep | null = null;
  let count = 0;

  function patch(target: any, name: string, make: (original: any) => any): void {
    if (!target || typeof target[name] !== 'function') return;
    const original = target[name];
    const own = Object.prototype.hasOwnProperty.call(target, name);
    try {
      target[name] = make(original);
    } catch {
      emit({ type: 'log', level: 'warn', message: `could not tap ${name} (read-only in this tfjs build); its calls are labelled "gradients"` });
      return;
    }
    restores.push(() => {
      if (own) target[name] = original;
      else delete target[name];
    });
  }

  /** Runs fn under an API label. The user's call site is looked up only for the outermost label. */
  function withApi<T>(api: GradientApi, fn: () => T, extra?: Partial<ApiFrame>): T {
    const frame: ApiFrame = { api, source: null, ...extra };
    if (apiStack.length === 0 && !extra?.source) frame.source = site();
    apiStack.push(frame);
    try {
      return fn();
    } finally {
      apiStack.pop();
    }
  }

  function site(): SourceLocation | null {
    return captureUserFrame(isInternal);
  }

  function emitChangedLayers(): void {
    const changed = registry.takeChanged();
    if (changed.length) emit({ type: 'layers', layers: changed });
  }

  function completePending(lossAfterStep: number | null, error: string | null): void {
    const p = pending;
    pending = null;
    p?.emitWith(lossAfterStep, error);
  }

  // ---- Layer tap -------------------------------------------------------------------------------------
  const layerClass = layers ? layerBaseClass(layers) : null;
  if (layerClass) {
    registry.hookConstruction(layerClass);
    restores.push(() => registry.unhook());
    patch(layerClass.prototype, 'apply', (original) => namingFailingLayer(function (this: Layer, inputs: unknown, kwargs?: any) {
      const first = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!isTensor(core, first)) return original.call(this, inputs, kwargs);
      if (probeState.override) {
        const compute = (training: boolean) => original.call(this, inputs, { ...(kwargs ?? {}), training });
        if (!registry.isContainer(this)) return probeLayerCall(probeState, this, compute);
        // A model run in inference mode disposes each layer output once its consumers have run
        // (tfjs-layers/src/engine/executor.ts, execute: "Clean up Tensors that are no longer needed"). The
        // outputs a probe keeps for its later passes must survive, so containers run in training mode then;
        // the mode matters to nothing else in a container, and every layer in it gets its own forced mode.
        return compute(probeState.record || probeState.reuse ? true : probeState.override(this));
      }
      const info = registry.info(this);
      const training = Boolean(kwargs?.training);
      const parent = containerStack[containerStack.length - 1];
      if (parent) registry.addParent(info, parent);
      if (info.isContainer) {
        containerStack.push(info);
        try {
          return original.call(this, inputs, kwargs);
        } finally {
          containerStack.pop();
        }
      }
      if (!current) {
        registry.countOutsideCall(info, training);
        return original.call(this, inputs, kwargs);
      }
      return current.recordLayerCall(this, info, training, inputs, () => original.call(this, inputs, kwargs));
    }, (layer) => registry.info(layer as Layer)));
  }

  patch(core, 'moments', (original) => momentsTap.wrap(original));

  // ---- API labels ------------------------------------------------------------------------------------
  for (const name of ['grad', 'grads', 'valueAndGrad', 'valueAndGrads'] as const) {
    patch(core, name, (original) => (f: unknown) => {
      const g = original(f);
      return (...args: unknown[]) => withApi(name, () => g(...args));
    });
  }
  patch(core, 'variableGrads', (original) => (...args: unknown[]) =>
    withApi('variableGrads', () => original(...args)));
  patch(core.Optimizer?.prototype, 'minimize', (original) => function (this: unknown, ...args: unknown[]) {
    return withApi('optimizer.minimize', () => original.apply(this, args));
  });
  patch(core.Optimizer?.prototype, 'computeGradients', (original) => function (this: unknown, ...args: unknown[]) {
    return withApi('optimizer.computeGradients', () => original.apply(this, args));
  });

  if (layers) {
    // fit, fitDataset and trainOnBatch are async: the label lives on the model while they run, and the
    // synchronous train function they call picks it up (tfjs-layers/src/engine/training.ts).
    for (const cls of [layers.LayersModel, layers.Sequential]) {
      for (const api of ['fit', 'fitDataset', 'trainOnBatch'] as const) {
        patch(cls?.prototype, api, (original) => function (this: any, ...args: unknown[]) {
          const label: ApiFrame = { api, source: site() };
          const models = [this, this.model].filter((m) => m && !modelLabels.has(m));
          for (const m of models) modelLabels.set(m, label);
          const clear = () => { for (const m of models) modelLabels.delete(m); };
          try {
            const result = original.apply(this, args);
            if (result && typeof result.then === 'function') return result.finally(clear);
            clear();
            return result;
          } catch (e) {
            clear();
            throw e;
          }
        });
      }
    }
    patch(layers.LayersModel?.prototype, 'makeTrainFunction', (original) => function (this: any) {
      const trainFunction = original.call(this);
      return (data: unknown[]) => {
        const label = modelLabels.get(this) ?? { api: 'fit' as const, source: null };
        const stand = fitLossClosure(core, this, data);
        return withApi(label.api, () => trainFunction(data), { source: label.source, closure: stand.closure, closureError: stand.error });
      };
    });
  }

  // ---- Optimizer step tap ----------------------------------------------------------------------------
  for (const cls of optimizerClasses(core)) {
    patch(cls.prototype, 'applyGradients', (original) => function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      if (pending && !prober.active && !current) {
        const p = pending;
        let loss: number | null = null;
        let error: string | null = null;
        try {
          const t = timed(() => prober.run(p.closure, ALL_INFERENCE));
          loss = t.dataSync()[0];
          t.dispose();
        } catch (e) {
          error = `loss after the optimizer step: ${messageOf(e)}`;
        }
        completePending(loss, error);
      }
      return result;
    });
  }

  // ---- Gradient tap ----------------------------------------------------------------------------------
  const originalGradients = engine.gradients;
  engine.gradients = function (this: any, f: () => unknown, xs: unknown[], dy: unknown, allowNoGradients?: boolean) {
    // Nested calls (a gradient inside a loss closure, or inside a probe) pass through unrecorded.
    if (current || prober.active) return originalGradients.call(this, f, xs, dy, allowNoGradients);
    completePending(null, null);
    const index = ++count;
    const outer = apiStack[0] ?? { api: 'gradients' as const, source: site() };
    const withClosure = [...apiStack].reverse().find((frame) => frame.closure !== undefined);
    const closure = withClosure ? withClosure.closure : f;
    const probed = schedule.next(index);
    const strategy = options.readStrategy ?? readStrategyFor(core);
    const recorder = new CallRecorder(core, index, outer.api, outer.source, probed, strategy, momentsTap);

    // The loss before the call records its layer outputs; the later passes of this call start from them.
    const cache = probed ? new ProbeCache(core, options.probeCacheBytes) : null;
    const probe = (which: 'before' | 'after') => {
      if (!probed || recorder.probes.error) return;
      if (!closure) {
        recorder.probes.error = withClosure?.closureError ?? 'no loss closure to re-run';
        return;
      }
      try {
        const run = which === 'before' || !cache
          ? { record: cache ?? undefined }
          : { reuse: { cache, before: cache.reusableBefore(recorder.stateChangingLayers()) } };
        recorder.probes[which] = recorder.batch.add(timed(() => prober.run(closure, ALL_INFERENCE, run)));
      } catch (e) {
        recorder.probes.error = `loss ${which} the call: ${messageOf(e)}`;
      }
    };

    probe('before');
    const started = now();
    current = recorder;
    let result: any;
    try {
      result = originalGradients.call(this, f, xs, dy, allowNoGradients);
    } catch (e) {
      cache?.dispose();
      recorder.abandon();
      throw e;
    } finally {
      current = null;
    }
    recorder.durationMs = now() - started;
    try {
      recorder.recordResult(result.value, xs as any[], result.grads);
      probe('after');
      if (probed && closure && !recorder.probes.error) {
        timed(() => attributeGap({ core, prober, cache, mode: options.attribution, tolerance: options.lossGapTolerance, sample: sampleAttribution }, recorder, closure));
      }
      cache?.dispose();
      const record = recorder.finish(() => Number(engine.state.numTensors));
      emitChangedLayers();
      if (probed && closure && !recorder.probes.error) {
        pending = {
          closure,
          emitWith: (lossAfterStep, error) => {
            emit({ type: 'gradient-call', call: { ...record, lossAfterStep, probeError: record.probeError ?? error } });
          },
        };
      } else {
        emit({ type: 'gradient-call', call: record });
      }
    } catch (e) {
      cache?.dispose();
      recorder.abandon();
      emit({ type: 'log', level: 'warn', message: `gradient call ${index}: the debugger could not record it: ${messageOf(e)}` });
    }
    return result;
  };
  restores.push(() => { engine.gradients = originalGradients; });

  return {
    get gradientCallCount() {
      return count;
    },
    flush() {
      completePending(null, null);
      emitChangedLayers();
    },
    uninstall() {
      for (const restore of restores.reverse()) restore();
      restores.length = 0;
    },
  };
}

/**
 * A stand-in for fit's loss closure: the same loss (tfjs-layers/src/engine/training.ts, makeTrainFunction:
 * mean of the summed per-output losses, plus regularizer losses), computed without fit's side effects.
 */
function fitLossClosure(core: any, model: any, data: any[]): { closure: (() => unknown) | null; error?: string } {
  const nIn = model.inputs?.length ?? 1;
  const nOut = model.outputs?.length ?? 1;
  const inputs = data.slice(0, nIn);
  const targets = data.slice(nIn, nIn + nOut);
  const sampleWeights = data.slice(nIn + nOut, nIn + 2 * nOut);
  if (sampleWeights.some((w) => w != null)) {
    return { closure: null, error: 'sample or class weights are in use, so the loss cannot be re-run exactly' };
  }
  if (!Array.isArray(model.lossFunctions)) return { closure: null, error: 'the model has no loss functions' };
  return {
    closure: () => {
      const out = model.apply(nIn === 1 ? inputs[0] : inputs, { training: false });
      const outputs = Array.isArray(out) ? out : [out];
      let total: any = null;
      model.lossFunctions.forEach((lossFunction: any, i: number) => {
        const loss = lossFunction(targets[i], outputs[i]);
        total = total == null ? loss : core.add(total, loss);
      });
      total = core.mean(total);
      for (const regularizerLoss of model.calculateLosses?.() ?? []) total = core.add(total, regularizerLoss);
      return total;
    },
  };
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
