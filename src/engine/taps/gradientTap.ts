// The gradient tap: ENGINE.gradients, which every gradient API reaches (tfjs-core/src/engine.ts; grad, grads,
// valueAndGrad(s) and variableGrads call it, Optimizer.minimize through variableGrads, and fit, fitDataset and
// trainOnBatch through minimize: tfjs-layers/src/engine/training.ts, makeTrainFunction). Each call is recorded
// (callRecorder.ts); a probed one also records its forward pass and replays it for the losses before and after
// it and the attribution (src/engine/probes).
import type { GradientCallRecord } from '../../protocol/report.ts';
import type { Tensor, TfjsObject } from '../tfjs.ts';
import { attributionSampler, layersToAttribute } from '../probes/attribution.ts';
import { checkWorkerFor, prepareCheck, runCheck, runCheckInPage } from '../probes/backendCheck.ts';
import { ForwardRecording } from '../probes/forwardRecording.ts';
import { asDebugger } from '../probeEnvironment.ts';
import { Replay } from '../probes/replay.ts';
import { readStrategyFor } from '../readback/readback.ts';
import type { RunnerEvent } from '../../protocol/runnerEvents.ts';
import type { ApiLabels } from './apiLabels.ts';
import { CallRecorder } from './callRecorder.ts';
import { InOrder } from './inOrder.ts';
import type { LeakWatch } from './leakWatch.ts';
import type { AfterStep } from './optimizerTap.ts';
import { emitChangedLayers, messageOf, timed, type TapContext } from './tapContext.ts';

type Gradients = (f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean) => { value: Tensor; grads: Tensor[] };

/** Backends whose results the cross-backend check compares with cpu by default. */
const GPU_BACKENDS = new Set(['webgl', 'webgpu']);
/** How often the count of gradient calls started goes out on the deferred strategy (callsStarted). */
const CALLS_STARTED_EVERY_MS = 1000;

export class GradientTap {
  private readonly sampleAttribution: () => boolean;
  /** Cross-backend checks done: the first probed call, and the first whose loss is not finite. */
  private readonly backendChecks = { first: false, nonFinite: false };
  /** When the count of calls started last went out (ctx.now()). */
  private lastCallsStarted: number | null = null;
  /** The calls' records, in call order. */
  private readonly records: InOrder<RunnerEvent>;
  /** Cross-backend checks running after their calls (the deferred strategy). */
  private readonly checking = new Set<Promise<void>>();

  constructor(private readonly ctx: TapContext, private readonly labels: ApiLabels, private readonly afterStep: AfterStep, private readonly leakWatch: LeakWatch) {
    this.sampleAttribution = ctx.options.sampleAttribution ?? attributionSampler();
    this.records = new InOrder(ctx.emit);
  }

  install(): void {
    const record = (run: (forward: () => Tensor) => ReturnType<Gradients>, f: () => Tensor, xs: Tensor[]) => this.gradients(run, f, xs);
    this.ctx.patcher.patch(this.ctx.engine as TfjsObject, 'gradients', (original) => function (this: unknown, f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean) {
      return record((forward) => original.call(this, forward, xs, dy, allowNoGradients), f, xs);
    });
  }

  /** One gradient call: `run` makes it with the forward function it is given. */
  private gradients(run: (forward: () => Tensor) => ReturnType<Gradients>, f: () => Tensor, xs: Tensor[]): ReturnType<Gradients> {
    const { ctx } = this;
    // Nested calls (a gradient inside a loss closure, or inside a probe) pass through unrecorded.
    if (ctx.call.recorder || ctx.prober.active) {
      ctx.call.recording?.nestedGradient();
      return run(f);
    }
    this.afterStep.complete();
    const recorder = this.start();
    // A probed call records its forward pass, so that probes can replay it (forwardRecording.ts).
    const recording = recorder.probed ? new ForwardRecording(ctx.core, ctx.isInternal, ctx.options.recordingBytes) : null;
    const started = ctx.now();
    ctx.call.recorder = recorder;
    ctx.call.recording = recording;
    let result: ReturnType<Gradients>;
    try {
      result = run(recording ? () => recording.during(f) : f);
    } catch (e) {
      recording?.dispose();
      recorder.abandon();
      throw e;
    } finally {
      ctx.call.recorder = null;
      ctx.call.recording = null;
    }
    recorder.durationMs = ctx.now() - started;
    ctx.schedule.callTook(recorder.durationMs, recording != null);
    this.leakWatch.callEnds();
    this.finish(recorder, recording, result, xs);
    return result;
  }

  /** A recorder for the call starting now, labelled and counted. */
  private start(): CallRecorder {
    const { ctx } = this;
    const index = ++ctx.call.count;
    const liveTensors = Number(ctx.engine.state.numTensors);
    this.leakWatch.callStarts(index, liveTensors);
    const outer = this.labels.outermost();
    const probed = ctx.schedule.next(index);
    const strategy = ctx.options.readStrategy ?? readStrategyFor(ctx.core, ctx.options.deferReads);
    if (strategy === 'deferred') this.callsStarted(index);
    const recorder = new CallRecorder(ctx.core, index, outer.api, outer.source, probed, strategy, ctx.moments);
    recorder.numTensorsBefore = liveTensors;
    recorder.model = outer.model;
    return recorder;
  }

  /** On the deferred strategy a call's record goes out when its values arrive, which is when the page's code
   *  next yields: a training loop that does not (cart-pole in tfjs-examples plays a game of 60 steps in one task)
   *  sends nothing for seconds. So the count of calls started goes out with the first call and then at most once
   *  a second (a DevTools binding is delivered at once, busy page or not): the live views count the calls, and
   *  the host knows which agent trains (a worker's) and waits for its thread to yield (idleWait.ts). */
  private callsStarted(index: number): void {
    const now = this.ctx.now();
    if (this.lastCallsStarted != null && now - this.lastCallsStarted < CALLS_STARTED_EVERY_MS) return;
    this.lastCallsStarted = now;
    this.ctx.emit({ type: 'calls-started', count: index, backend: String(this.ctx.core.getBackend?.() ?? '') || null });
  }

  /** Reads the call's record back, probes it when it was recorded for replay, and emits it (or holds it for the
   *  loss after the optimizer step). A failure here loses the record, never the user's gradient call. */
  private finish(recorder: CallRecorder, recording: ForwardRecording | null, result: ReturnType<Gradients>, xs: Tensor[]): void {
    const { ctx } = this;
    let replay: Replay | null = null;
    // The call's place among the records, taken first: what runs once its values are read (the cross-backend
    // check) can wait for it, also when they are read before finish() returns.
    const emit = this.records.take();
    try {
      recorder.recordResult(result.value, xs, result.grads);
      const probes = recording ? timed(ctx, () => this.probeCall(recording, result.value.id, recorder)) : null;
      replay = probes?.replay ?? null;
      const record = recorder.finish(() => Number(ctx.engine.state.numTensors));
      emitChangedLayers(ctx);
      const send = (event: (call: GradientCallRecord) => RunnerEvent) =>
        emit(record instanceof Promise ? record.then(event, (e: unknown) => notRecorded(recorder.index, e)) : event(record));
      if (replay && probes) {
        this.afterStep.wait(replay, probes.inferenceMs, (lossAfterStep, error) => {
          send((call) => ({ type: 'gradient-call', call: { ...call, lossAfterStep, probeError: call.probeError ?? error } }));
        });
      } else {
        send((call) => ({ type: 'gradient-call', call }));
      }
    } catch (e) {
      replay?.dispose();
      recorder.abandon();
      emit(notRecorded(recorder.index, e));
    }
  }

  /** Resolves when every record of the calls made so far, and every check that runs after its call, has gone out. */
  async settled(): Promise<void> {
    await Promise.all([this.records.settled(), ...this.checking]);
  }

  /** On a GPU backend (or when asked), the call's forward pass replayed on cpu and compared layer by layer. */
  private checkBackend(recording: ForwardRecording, lossId: number, recorder: CallRecorder): void {
    const { ctx } = this;
    const backend = String(ctx.core.getBackend?.() ?? '');
    const mode = ctx.options.backendCheck ?? 'auto';
    if (backend === 'cpu' || mode === 'off' || (mode === 'auto' && !GPU_BACKENDS.has(backend))) return;
    // The first check needs no read to be decided (on webgl a read in the first call waits for its programs).
    const during = this.backendChecks.first ? recorder.peekDuring() : null;
    const nonFinite = during != null && !Number.isFinite(during);
    if (this.backendChecks.first && !(nonFinite && !this.backendChecks.nonFinite)) return;
    this.backendChecks.first = true;
    if (nonFinite) this.backendChecks.nonFinite = true;
    const layerId = (unit: number) => (recording.units[unit] as { layerId: number }).layerId;
    const noCheck = (problem: string) => ctx.emit({ type: 'log', level: 'info', message: `gradient call ${recorder.index}: no cross-backend check: ${problem}` });
    const check = asDebugger(() => prepareCheck(ctx.core, recording, lossId, layerId, recorder.batch));
    if ('problem' in check) {
      noCheck(check.problem);
      return;
    }
    // In a page, a large pass's worker starts now, in this call's frame (checkInWorker.ts).
    const worker = recorder.batch.strategy === 'deferred' ? checkWorkerFor(check) : null;
    // Once the call's values are read: at once, into the record; or, on the deferred strategy, after the call
    // (off the page's thread, or in slices over its frames: runCheckInPage), as an event of its own that follows
    // the record, so that the record (and every one after it, which go out in order) is not held for it.
    recorder.whenRead(() => {
      try {
        if (recorder.batch.strategy !== 'deferred') {
          recorder.backendCheck = asDebugger(() => runCheck(ctx.core, check, recorder.batch));
          return;
        }
        // The call's record has its place by now (taken before its values were read): the check goes out after it.
        const recordOut = this.records.settled();
        const running = Promise.all([runCheckInPage(ctx.core, check, recorder.batch, worker), recordOut]).then(
          ([result]) => ctx.emit({ type: 'backend-check', index: recorder.index, check: result }),
          (e: unknown) => noCheck(messageOf(e)));
        this.checking.add(running);
        void running.then(() => this.checking.delete(running));
      } catch (e) {
        noCheck(messageOf(e));
      }
    });
  }

  /** Replays a recorded call for its losses before and after and its attribution. Returns the replay, kept for
   *  the loss after the optimizer step, or null when the call cannot be replayed. */
  private probeCall(recording: ForwardRecording, lossId: number, recorder: CallRecorder): { replay: Replay; inferenceMs: number } | null {
    const { ctx } = this;
    const replay = new Replay(ctx.core, recording, lossId);
    if (replay.problem) {
      recorder.probes.error = `not replayed: ${replay.problem}`;
      replay.dispose();
      return null;
    }
    try {
      const attribution = { mode: ctx.options.attribution, tolerance: ctx.options.lossGapTolerance, sample: this.sampleAttribution };
      const probes = ctx.prober.callProbes(replay, (before) =>
        layersToAttribute(attribution, replay, () => before.dataSync()[0], () => recorder.peekDuring()));
      this.checkBackend(recording, lossId, recorder);
      const batch = recorder.batch;
      recorder.probes.before = batch.occasional(batch.add(probes.before));
      recorder.probes.after = batch.occasional(batch.add(probes.after));
      if (probes.attribution.length) {
        recorder.probes.attribution = probes.attribution.map(({ layer, loss }) => ({ layer: ctx.registry.info(layer).id, slot: batch.occasional(batch.add(loss)) }));
      }
      replay.keepConstantsOnly();
      return { replay, inferenceMs: probes.inferenceMs };
    } catch (e) {
      recorder.probes.error = `replay: ${messageOf(e)}`;
      replay.dispose();
      return null;
    }
  }
}

function notRecorded(index: number, e: unknown): RunnerEvent {
  return { type: 'log', level: 'warn', message: `gradient call ${index}: the debugger could not record it: ${messageOf(e)}` };
}
