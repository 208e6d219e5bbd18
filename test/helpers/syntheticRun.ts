// A synthetic runner event stream (a wide model, many gradient calls) and a clock the test moves, for what the host
// sends the panel (PanelFeed) and the bench's measurement of it. The events have the runner's shapes
// (src/protocol/runnerEvents.ts); calls 1–50 are probed, then every 10th, as the runner's default schedule.
import type { GradientCallRecord, LayerInfo } from '../../src/protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../src/protocol/runOptions.ts';
import type { RunnerEvent } from '../../src/protocol/runnerEvents.ts';
import type { BatcherTimers } from '../../src/extension/logic/batcher.ts';

export function syntheticLayers(n: number): LayerInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1, name: `dense_${i + 1}`, className: i % 10 === 3 ? 'BatchNormalization' : 'Dense', trainable: true,
    source: { file: '/t.js', line: i + 1, column: 1 }, parents: [], isContainer: false, outsideCalls: { training: 0, inference: 0 },
  }));
}

export function syntheticCall(index: number, layers: LayerInfo[]): GradientCallRecord {
  const probed = index <= 50 || index % 10 === 0;
  return {
    index, api: 'fit', source: null, lossDuring: 1 / index + 0.5, probed, probeError: null,
    lossBefore: probed ? 1 / index + 0.4 : null, lossAfter: probed ? 1 / index + 0.41 : null, lossAfterStep: null,
    layers: layers.map((l) => ({
      layer: l.id, mode: 'training', calls: 1, trainable: true, nonFinite: 0, batchNorm: null, gradNorm: probed ? 1 + l.id / index : null,
      output: probed ? { mean: 0.1, std: 1, min: -2, max: 2, nanCount: 0, infCount: 0 } : null,
    })),
    weights: [], attribution: null, unexplained: null, numTensors: 10, durationMs: 1,
  };
}

export function syntheticEvents(calls: number, layerCount: number, options: Partial<RunOptions> = {}): RunnerEvent[] {
  const layers = syntheticLayers(layerCount);
  return [
    {
      type: 'run-start', target: '/t.js', args: [], cwd: '/', tfjs: { version: '4.22.0', backend: 'cpu', source: 'bundled', path: '/tfjs' },
      options: { ...DEFAULT_RUN_OPTIONS, ...options }, pid: 1, startedAt: '2026-01-01T00:00:00.000Z',
    },
    { type: 'layers', layers },
    ...Array.from({ length: calls }, (_, i): RunnerEvent => ({ type: 'gradient-call', call: syntheticCall(i + 1, layers) })),
  ];
}

export function runEnd(calls: number): RunnerEvent {
  return { type: 'run-end', status: 'completed', exitCode: 0, error: null, memory: { tensorsAtStart: 0, tensorsAtEnd: 5 }, gradientCallCount: calls, backend: 'cpu' };
}

/** Timers on a clock that moves only when told (advance), running what falls due in order. */
export class ManualClock implements BatcherTimers {
  private t = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Moves the clock by `ms`, running each timer at its time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.due) if (entry[1].at <= end && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] < next[0]))) next = entry;
      if (!next) break;
      this.due.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
