// What the taps share while tfjs is instrumented: the tfjs modules, the run's options and event sink, the
// registry of layers, the prober, the probe schedule, and the gradient call being recorded now.
import type { RunOptions } from '../../protocol/runOptions.ts';
import type { RunnerEvent } from '../../protocol/runnerEvents.ts';
import type { SourceLocation } from '../../protocol/report.ts';
import { captureUserFrame, type InternalPathTest } from '../callSites.ts';
import type { Patcher } from '../patcher.ts';
import type { ForwardRecording } from '../probes/forwardRecording.ts';
import type { ProbeSchedule } from '../probes/probeSchedule.ts';
import type { Prober } from '../probes/probes.ts';
import type { ReadStrategy } from '../readback/readback.ts';
import type { Engine, TfjsModules } from '../tfjs.ts';
import type { CallRecorder } from './callRecorder.ts';
import type { LayerRegistry } from './layerRegistry.ts';
import type { MomentsTap } from './layerStats.ts';

export interface InstrumentOptions extends RunOptions {
  emit: (event: RunnerEvent) => void;
  isInternal?: InternalPathTest;
  now?: () => number;
  /** Where a layer was declared when no user frame built it (a saved model's layers: their model.json line). */
  layerSource?: (layerName: string) => SourceLocation | null;
  /** How statistics come back from the backend; by default the cheaper one for the backend (readback.ts). */
  readStrategy?: ReadStrategy;
  /** Read without waiting for the device where that is safe (webgl): the page agent, whose page must stay
   *  responsive, and which waits for what is pending before its run ends (Instrumentation.settled). */
  deferReads?: boolean;
  /** Bytes of kernel outputs a probed call may hold for its replay (forwardRecording.ts); past it, replay
   *  computes them again. */
  recordingBytes?: number;
  /** Decides, per probed call with a gap, whether auto attribution runs (default: attributionSampler()).
   *  The benchmark shares one across its rounds to measure a long run's steady state. */
  sampleAttribution?: () => boolean;
  /** The schedule to continue (the benchmark keeps one across its rounds); by default a new one. */
  schedule?: ProbeSchedule;
}

/** The gradient call being recorded (null outside one), and how many have been made. */
interface CallInProgress {
  recorder: CallRecorder | null;
  /** Its forward pass, recorded for replay (probed calls only). */
  recording: ForwardRecording | null;
  count: number;
}

export interface TapContext extends TfjsModules {
  engine: Engine;
  options: InstrumentOptions;
  emit: (event: RunnerEvent) => void;
  isInternal: InternalPathTest;
  now: () => number;
  patcher: Patcher;
  registry: LayerRegistry;
  prober: Prober;
  moments: MomentsTap;
  schedule: ProbeSchedule;
  call: CallInProgress;
}

/** The first frame in the user's code on the stack now. */
export function userSite(ctx: TapContext): SourceLocation | null {
  return captureUserFrame(ctx.isInternal);
}

/** Runs part of a probe, counting its time against the probe budget. */
export function timed<T>(ctx: TapContext, fn: () => T): T {
  const t = ctx.now();
  try {
    return fn();
  } finally {
    ctx.schedule.spent(ctx.now() - t);
  }
}

/** Sends the layers that are new or changed since the last time, if any. */
export function emitChangedLayers(ctx: TapContext): void {
  const changed = ctx.registry.takeChanged();
  if (changed.length) ctx.emit({ type: 'layers', layers: changed });
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
