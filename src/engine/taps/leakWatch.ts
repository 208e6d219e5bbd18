// Finds where leaking tensors are created, at no cost while live tensors do not grow.
//
// The count of live tensors is taken as each gradient call starts: the same point of every step, from the third
// call on (the first calls allocate what stays: each optimizer's slots, in its first step). When the
// least count of the last WINDOW calls has risen by RISE or more over the least count of the WINDOW calls
// before them (growth that did not come back, so not tensors a step keeps until its end, nor an epoch's batch
// logs that fit disposes at epoch end), the watch notes every tensor created during the next SAMPLE_CALLS
// calls, and on until the count has risen again (growth in steps: tensors leaked between fit calls), with the
// first user frame of its stack (engine.trackTensor sees every new Tensor: tfjs-core/src/engine.ts). Noted
// tensors already disposed are forgotten as it goes, so that a step's own thousands do not fill the sample.
// CHECK_AFTER calls after the sample, the tensors still alive are counted by the place they were created, and
// sent as a `leak-sites` event. The diagnosis (tensor-leak) decides whether it is a leak.
import type { LeakSite, SourceLocation } from '../../protocol/report.ts';
import type { RunnerEvent } from '../../protocol/runnerEvents.ts';
import { captureUserFrame, type InternalPathTest } from '../callSites.ts';
import { inDebuggerCode } from '../probeEnvironment.ts';
import { Patcher } from '../patcher.ts';
import { engineOf, type KernelBackend, type Tensor, type TfjsCore, type TfjsObject } from '../tfjs.ts';

/** Calls whose counts are left out: the first optimizer steps create their slots (two optimizers in a GAN). */
const SETTLE_CALLS = 2;
const WINDOW = 10;
const RISE = 5;
const SAMPLE_CALLS = 3;
const CHECK_AFTER = 10;
const MAX_SAMPLED = 5000;
/** Samples a run may take (one more after a sample that found nothing alive, once the count rises again). */
const MAX_SAMPLES = 3;

interface Sampled {
  /** Held until the check: a leaked tensor the script no longer references would be collected as a JS object
   *  (its count stays in numTensors), so a weak reference could not tell whether it was disposed. */
  tensor: Tensor;
  site: SourceLocation | null;
}

export class LeakWatch {
  private readonly counts: number[] = [];
  private sampled: Sampled[] = [];
  /** Tensors noted and then seen disposed (pruned), by site key: part of each site's `created`. */
  private readonly pruned = new Map<string, { source: SourceLocation | null; created: number }>();
  private sample: { start: number; count: number } | null = null;
  private checkAt = 0;
  private samples = 0;
  private restore: (() => void) | null = null;
  /** The sample is full of live tensors (a training step's own, alive until its backward pass): nothing is noted
   *  until the step ends and they can be forgotten. */
  private full = false;

  constructor(
    private readonly core: TfjsCore,
    private readonly isInternal: InternalPathTest,
    private readonly emit: (event: RunnerEvent) => void,
  ) {}

  /** At the start of gradient call `index`, with the live tensors then. */
  callStarts(index: number, liveTensors: number): void {
    if (this.restore) this.prune();
    if (this.sample && this.sampleDone(index, liveTensors)) this.endSample(index);
    if (this.checkAt && index >= this.checkAt) this.check();
    if (index <= SETTLE_CALLS) return;
    this.counts.push(liveTensors);
    if (this.counts.length > 2 * WINDOW) this.counts.shift();
    if (!this.sample && !this.checkAt && this.samples < MAX_SAMPLES && this.growing()) this.startSampling(index, liveTensors);
  }

  /** A gradient call returned: the step's own tensors are gone, so what was noted of them can be forgotten. */
  callEnds(): void {
    if (this.restore) this.prune();
  }

  private growing(): boolean {
    if (this.counts.length < 2 * WINDOW) return false;
    return Math.min(...this.counts.slice(WINDOW)) - Math.min(...this.counts.slice(0, WINDOW)) >= RISE;
  }

  /** A sample lasts SAMPLE_CALLS calls, and on until the count has risen by RISE since it began (growth that comes
   *  in steps, such as tensors leaked between fit calls), for WINDOW calls at most. */
  private sampleDone(index: number, liveTensors: number): boolean {
    const sample = this.sample as { start: number; count: number };
    if (index < sample.start + SAMPLE_CALLS) return false;
    return liveTensors - sample.count >= RISE || index >= sample.start + WINDOW;
  }

  private startSampling(index: number, liveTensors: number): void {
    this.samples++;
    this.sample = { start: index, count: liveTensors };
    const engine = engineOf(this.core);
    const Variable = this.core.Variable;
    const patcher = new Patcher(() => undefined);
    patcher.patch(engine as TfjsObject, 'trackTensor', (original) => (a: Tensor, backend: KernelBackend) => {
      original.call(engine, a, backend);
      if (this.sampled.length >= MAX_SAMPLED && !this.full) this.prune();
      if (this.sampled.length < MAX_SAMPLED && !this.full && !inDebuggerCode() && !(a instanceof Variable)) {
        this.sampled.push({ tensor: a, site: captureUserFrame(this.isInternal) });
      }
    });
    this.restore = () => patcher.restoreAll();
  }

  /** Forgets the noted tensors already disposed (a step's own), counting them by site, so that the sample goes on
   *  over a whole window. When most are still alive, nothing more is noted until the next prune between calls. */
  private prune(): void {
    const kept: Sampled[] = [];
    for (const s of this.sampled) {
      if (!s.tensor.isDisposed) {
        kept.push(s);
        continue;
      }
      const key = siteKey(s.site);
      const entry = this.pruned.get(key) ?? { source: s.site, created: 0 };
      entry.created++;
      this.pruned.set(key, entry);
    }
    this.sampled = kept;
    this.full = kept.length > MAX_SAMPLED / 2;
  }

  /** The sample's window ended at call `index`: what it noted is checked CHECK_AFTER calls later. */
  private endSample(index: number): void {
    this.stopNoting();
    this.sample = null;
    this.full = false;
    this.checkAt = index + CHECK_AFTER;
  }

  private stopNoting(): void {
    this.restore?.();
    this.restore = null;
  }

  private check(): void {
    const bySite = new Map<string, LeakSite>();
    for (const [key, { source, created }] of this.pruned) bySite.set(key, { source, alive: 0, created });
    this.pruned.clear();
    for (const { tensor, site } of this.sampled) {
      const key = siteKey(site);
      const entry = bySite.get(key) ?? { source: site, alive: 0, created: 0 };
      entry.created++;
      if (!tensor.isDisposed) entry.alive++;
      bySite.set(key, entry);
    }
    this.sampled = [];
    this.checkAt = 0;
    this.counts.length = 0;
    const sites = [...bySite.values()].filter((s) => s.alive > 0).sort((a, b) => b.alive - a.alive).slice(0, 5);
    if (sites.length) this.emit({ type: 'leak-sites', sites });
  }

  uninstall(): void {
    this.stopNoting();
    this.sampled = [];
  }
}

function siteKey(site: SourceLocation | null): string {
  return site ? `${site.file}:${site.line}:${site.column}` : '';
}
