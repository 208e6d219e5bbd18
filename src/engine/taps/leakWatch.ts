// Finds where leaking tensors are created, at no cost while live tensors do not grow.
//
// The count of live tensors is taken as each gradient call starts: the same point of every step, from the third
// call on (the first calls allocate what stays: each optimizer's slots, in its first step). When the
// least count of the last WINDOW calls has risen by RISE or more over the least count of the WINDOW calls
// before them (growth that did not come back, so not tensors a step keeps until its end, nor an epoch's batch
// logs that fit disposes at epoch end), the watch notes every tensor created during the next SAMPLE_CALLS
// calls with the first user frame of its stack (engine.trackTensor sees every new Tensor:
// tfjs-core/src/engine.ts). CHECK_AFTER calls later, the tensors still alive are counted by the place they
// were created, and sent as a `leak-sites` event. The diagnosis (tensor-leak) decides whether it is a leak.
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
  tensor: WeakRef<Tensor>;
  site: SourceLocation | null;
}

export class LeakWatch {
  private readonly counts: number[] = [];
  private sampled: Sampled[] = [];
  private sampleEnds = 0;
  private checkAt = 0;
  private samples = 0;
  private restore: (() => void) | null = null;

  constructor(
    private readonly core: TfjsCore,
    private readonly isInternal: InternalPathTest,
    private readonly emit: (event: RunnerEvent) => void,
  ) {}

  /** At the start of gradient call `index`, with the live tensors then. */
  callStarts(index: number, liveTensors: number): void {
    if (this.restore && index >= this.sampleEnds) this.stopSampling();
    if (this.checkAt && index >= this.checkAt) this.check();
    if (index <= SETTLE_CALLS) return;
    this.counts.push(liveTensors);
    if (this.counts.length > 2 * WINDOW) this.counts.shift();
    if (!this.restore && !this.checkAt && this.samples < MAX_SAMPLES && this.growing()) this.startSampling(index);
  }

  private growing(): boolean {
    if (this.counts.length < 2 * WINDOW) return false;
    return Math.min(...this.counts.slice(WINDOW)) - Math.min(...this.counts.slice(0, WINDOW)) >= RISE;
  }

  private startSampling(index: number): void {
    this.samples++;
    this.sampleEnds = index + SAMPLE_CALLS;
    this.checkAt = this.sampleEnds + CHECK_AFTER;
    const engine = engineOf(this.core);
    const Variable = this.core.Variable;
    const patcher = new Patcher(() => undefined);
    patcher.patch(engine as TfjsObject, 'trackTensor', (trackTensor) => (a: Tensor, backend: KernelBackend) => {
      trackTensor.call(engine, a, backend);
      if (this.sampled.length < MAX_SAMPLED && !inDebuggerCode() && !(a instanceof Variable)) {
        this.sampled.push({ tensor: new WeakRef(a), site: captureUserFrame(this.isInternal) });
      }
    });
    this.restore = () => patcher.restoreAll();
  }

  private stopSampling(): void {
    this.restore?.();
    this.restore = null;
  }

  private check(): void {
    const bySite = new Map<string, LeakSite>();
    for (const { tensor, site } of this.sampled) {
      const key = site ? `${site.file}:${site.line}:${site.column}` : '';
      const entry = bySite.get(key) ?? { source: site, alive: 0, created: 0 };
      entry.created++;
      const t = tensor.deref();
      if (t && !t.isDisposed) entry.alive++;
      bySite.set(key, entry);
    }
    this.sampled = [];
    this.checkAt = 0;
    this.counts.length = 0;
    const sites = [...bySite.values()].filter((s) => s.alive > 0).sort((a, b) => b.alive - a.alive).slice(0, 5);
    if (sites.length) this.emit({ type: 'leak-sites', sites });
  }

  uninstall(): void {
    this.stopSampling();
  }
}
