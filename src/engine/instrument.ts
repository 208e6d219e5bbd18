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
import type { GradientApi, LayerInfo, SourceLocation } from '../protocol/report.ts';
import type { RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { captureUserFrame, defaultIsInternal, directCaller, type InternalPathTest } from './callSites.ts';
import { attributionSampler, layersToAttribute } from './probes/attribution.ts';
import { CallRecorder } from './taps/callRecorder.ts';
import { ForwardRecording } from './probes/forwardRecording.ts';
import { LayerRegistry } from './taps/layerRegistry.ts';
import { LeakWatch } from './taps/leakWatch.ts';
import { MomentsTap } from './taps/layerStats.ts';
import { asDebugger } from './probeEnvironment.ts';
import { readStrategyFor, type ReadStrategy } from './readback/readback.ts';
import { ProbeSchedule } from './probes/probeSchedule.ts';
import { Prober } from './probes/probes.ts';
import { Replay } from './probes/replay.ts';
import { isTensor, layerBaseClass, optimizerClasses, type Layer, type TfjsModules } from './tfjs.ts';

export interface InstrumentOptions extends RunOptions {
  emit: (event: RunnerEvent) => void;
  isInternal?: InternalPathTest;
  now?: () => number;
  /** Where a layer was declared when no user frame built it (a saved model's layers: their model.json line). */
  layerSource?: (layerName: string) => SourceLocation | null;
  /** How statistics come back from the backend; by default the cheaper one for the backend (readback.ts). */
  readStrategy?: ReadStrategy;
  /** Bytes of kernel outputs a probed call may hold for its replay (forwardRecording.ts); past it, replay
   *  computes them again. */
  recordingBytes?: number;
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
  /** The model whose fit, fitDataset or trainOnBatch runs. */
  model?: number;
}

/** A probed call waiting for an optimizer step, to replay its loss after the step. */
interface PendingStep {
  replay: Replay;
  /** What the pass after the step should cost, in ms. */
  expectedMs: number;
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
  const prober = new Prober(core);
  const apiStack: ApiFrame[] = [];
  const modelLabels = new WeakMap<object, ApiFrame>();
  /** The models the current layer call runs in, outermost first. */
  const containerStack: { info: LayerInfo; layer: Layer }[] = [];
  const leakWatch = new LeakWatch(core, isInternal, emit);
  restores.push(() => leakWatch.uninstall());
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
  let recording: ForwardRecording | null = null;
  let pending: PendingStep | null = null;
  /** What the last pass after an optimizer step cost, in ms. */
  let afterStepMs: number | null = null;
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
    if (!p) return;
    p.replay.dispose();
    p.emitWith(lossAfterStep, error);
  }

  // ---- Layer tap -------------------------------------------------------------------------------------
  const layerClass = layers ? layerBaseClass(layers) : null;
  if (layerClass) {
    registry.hookConstruction(layerClass);
    restores.push(() => registry.unhook());
    patch(layerClass.prototype, 'apply', (original) => function (this: Layer, inputs: unknown, kwargs?: any) {
      const first = Array.isArray(inputs) ? inputs[0] : inputs;
      // A probe's own layer calls (a mode-dependent layer re-run in another mode) pass straight through.
      if (prober.active || !isTensor(core, first)) return original.call(this, inputs, kwargs);
      const info = registry.info(this);
      const training = asDebugger(() => Boolean(kwargs?.training));
      const parent = containerStack[containerStack.length - 1];
      if (parent) registry.addParent(info, parent.info);
      if (info.isContainer) return inContainer(this, info, () => original.call(this, inputs, kwargs));
      if (!current) {
        registry.countOutsideCall(info, training);
        return original.call(this, inputs, kwargs);
      }
      const call = current;
      const rec = recording;
      // Frozen by its own flag, or by a model it runs in (tfjs-layers' Container keeps its layers' own flags
      // and drops their weights from its trainableWeights: engine/container.ts, set trainable).
      const frozenBy = !this.trainable ? info.id : containerStack.find((c) => !c.layer.trainable)?.info.id ?? null;
      return call.recordLayerCall(this, info, training, frozenBy, inputs, () => rec
        ? rec.layerCall(this, info.id, training, inputs, kwargs, (watched) => original.call(this, inputs, watched))
        : original.call(this, inputs, kwargs));
    });
  }

  patch(core, 'moments', (original) => momentsTap.wrap(original));

  /** Runs fn with a model on the container stack (its layers' calls are recorded as running in it). */
  function inContainer<T>(layer: Layer, info: LayerInfo, fn: () => T): T {
    containerStack.push({ info, layer });
    try {
      return fn();
    } finally {
      containerStack.pop();
    }
  }

  // ---- Trainability: where the script sets `trainable`, and what each compile collects to train ----------
  const trainableOwners = new Set<object>();
  for (const cls of [layerClass, layers?.LayersModel, layers?.Sequential]) {
    let proto = cls?.prototype;
    while (proto && !Object.prototype.hasOwnProperty.call(proto, 'trainable')) proto = Object.getPrototypeOf(proto);
    const d = proto ? Object.getOwnPropertyDescriptor(proto, 'trainable') : undefined;
    if (!proto || !d?.set || trainableOwners.has(proto)) continue;
    trainableOwners.add(proto);
    const owner = proto;
    const setter = function (this: Layer, value: boolean) {
      const before = this.trainable_;
      d.set?.call(this, value);
      if (prober.active || before === undefined || Boolean(before) === Boolean(value)) return;
      // Only the script's own assignments: tfjs sets trainable itself too (InputLayer's constructor,
      // Sequential.build, the wrappers), and those are not the user's doing.
      const caller = directCaller(setter);
      if (caller && !isInternal(caller.file)) registry.noteTrainable(this, { value: Boolean(value), source: caller, afterCall: count });
    };
    Object.defineProperty(owner, 'trainable', { ...d, set: setter });
    restores.push(() => Object.defineProperty(owner, 'trainable', d));
  }
  patch(layers?.LayersModel?.prototype, 'compile', (original) => function (this: Layer, ...args: unknown[]) {
    const result = original.apply(this, args);
    registry.noteCompiled(this);
    return result;
  });

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
        // The model trained is a container of every layer the train function calls.
        const info = registry.info(this);
        return inContainer(this, info, () => withApi(label.api, () => trainFunction(data), { source: label.source, model: info.id }));
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
        // Like every probe, within the budget: else this call has no loss after the step.
        if (schedule.allows(p.expectedMs)) {
          const started = now();
          try {
            const t = timed(() => prober.afterStep(p.replay));
            loss = t.dataSync()[0];
            t.dispose();
          } catch (e) {
            error = `loss after the optimizer step: ${messageOf(e)}`;
          }
          afterStepMs = now() - started;
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
    if (current || prober.active) {
      recording?.nestedGradient();
      return originalGradients.call(this, f, xs, dy, allowNoGradients);
    }
    completePending(null, null);
    const index = ++count;
    const liveTensors = Number(engine.state.numTensors);
    leakWatch.callStarts(index, liveTensors);
    const outer = apiStack[0] ?? { api: 'gradients' as const, source: site() };
    const probed = schedule.next(index);
    const strategy = options.readStrategy ?? readStrategyFor(core);
    const recorder = new CallRecorder(core, index, outer.api, outer.source, probed, strategy, momentsTap);
    recorder.numTensorsBefore = liveTensors;
    recorder.model = outer.model;
    // A probed call records its forward pass, so that probes can replay it (forwardRecording.ts).
    const rec = probed ? new ForwardRecording(core, isInternal, options.recordingBytes) : null;
    const forward = rec ? () => rec.during(f) : f;

    const started = now();
    current = recorder;
    recording = rec;
    let result: any;
    try {
      result = originalGradients.call(this, forward, xs, dy, allowNoGradients);
    } catch (e) {
      rec?.dispose();
      recorder.abandon();
      throw e;
    } finally {
      current = null;
      recording = null;
    }
    recorder.durationMs = now() - started;
    let replay: Replay | null = null;
    try {
      recorder.recordResult(result.value, xs as any[], result.grads);
      const probes = rec ? timed(() => probeCall(rec, result.value.id, recorder)) : null;
      replay = probes?.replay ?? null;
      const record = recorder.finish(() => Number(engine.state.numTensors));
      emitChangedLayers();
      if (replay) {
        pending = {
          replay,
          expectedMs: afterStepMs ?? probes?.inferenceMs ?? 0,
          emitWith: (lossAfterStep, error) => {
            emit({ type: 'gradient-call', call: { ...record, lossAfterStep, probeError: record.probeError ?? error } });
          },
        };
      } else {
        emit({ type: 'gradient-call', call: record });
      }
    } catch (e) {
      replay?.dispose();
      recorder.abandon();
      emit({ type: 'log', level: 'warn', message: `gradient call ${index}: the debugger could not record it: ${messageOf(e)}` });
    }
    return result;
  };

  /** Replays a recorded call for its losses before and after and its attribution. Returns the replay, kept
   *  for the loss after the optimizer step, or null when the call cannot be replayed. */
  function probeCall(rec: ForwardRecording, lossId: number, recorder: CallRecorder): { replay: Replay; inferenceMs: number } | null {
    const replay = new Replay(core, rec, lossId);
    if (replay.problem) {
      recorder.probes.error = `not replayed: ${replay.problem}`;
      replay.dispose();
      return null;
    }
    try {
      const ctx = { mode: options.attribution, tolerance: options.lossGapTolerance, sample: sampleAttribution };
      const probes = prober.callProbes(replay, (before) =>
        layersToAttribute(ctx, replay, () => before.dataSync()[0], () => recorder.peekDuring()));
      recorder.probes.before = recorder.batch.add(probes.before);
      recorder.probes.after = recorder.batch.add(probes.after);
      if (probes.attribution.length) {
        recorder.probes.attribution = probes.attribution.map(({ layer, loss }) => ({ layer: registry.info(layer).id, slot: recorder.batch.add(loss) }));
      }
      replay.keepConstantsOnly();
      return { replay, inferenceMs: probes.inferenceMs };
    } catch (e) {
      recorder.probes.error = `replay: ${messageOf(e)}`;
      replay.dispose();
      return null;
    }
  }
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

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
