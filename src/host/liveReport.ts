// The one report of a run, as it goes: launchRunner folds the runner's events into it once, and ends it from the
// host's side (timeout, Stop, a signal, a runner that died); the CLI, the extension's RunStore and the panel read
// it. The diagnosis runs once per version, when a snapshot or an update is first asked for, not on every read.
import { diagnose } from '../model/diagnose/index.ts';
import { ReportBuilder } from '../model/reportBuilder.ts';
import type { RunError, RunReport, RunStatus } from '../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import type { ReportUpdate } from '../protocol/webviewMessages.ts';

/** Called after each change: with the runner's event that made it, or null for the host's own. */
export type ReportListener = (event: RunnerEvent | null) => void;

export class LiveReport {
  private readonly builder: ReportBuilder;
  private readonly startedAt: number;
  private snapshotCache: RunReport | null = null;
  private snapshotVersion = -1;
  private readonly listeners = new Set<ReportListener>();
  private hostEnded = false;

  constructor(target: string, args: string[], options: RunOptions = DEFAULT_RUN_OPTIONS, private readonly now: () => number = Date.now) {
    this.builder = new ReportBuilder(target, args, options);
    this.startedAt = now();
  }

  get version(): number {
    return this.builder.version;
  }

  get status(): RunStatus {
    return this.builder.status;
  }

  /** Gradient calls so far (cheap: no snapshot). */
  get gradientCallCount(): number {
    return this.builder.gradientCallCount;
  }

  apply(event: RunnerEvent): void {
    this.builder.apply(event);
    if (event.type === 'run-end') this.builder.setDuration(this.now() - this.startedAt);
    this.changed(event);
  }

  /** Ends the run from the host's side; a run that has ended keeps its ending. */
  end(status: Exclude<RunStatus, 'running'>, error: RunError | null, exitCode: number | null): void {
    if (!this.builder.end(status, error, exitCode)) return;
    this.hostEnded = true;
    this.changed(null);
  }

  /** Whether the host ended the run (Stop, the timeout, a signal), so the runner is being ended now. */
  get endedByHost(): boolean {
    return this.hostEnded;
  }

  /** The runner's exit status, when no run-end event gave one. */
  noteExit(exitCode: number | null): void {
    if (this.builder.noteExit(exitCode)) this.changed(null);
  }

  /** The runner is gone: the duration is final. Returns the final report. */
  finish(): RunReport {
    this.builder.setDuration(this.now() - this.startedAt);
    this.changed(null);
    return this.snapshot();
  }

  /** The report now, with its findings. The same object until the next change. */
  snapshot(): RunReport {
    if (this.snapshotVersion !== this.builder.version || !this.snapshotCache) {
      const report = this.builder.report();
      report.findings = diagnose(report);
      this.snapshotCache = report;
      this.snapshotVersion = this.builder.version;
    }
    return this.snapshotCache;
  }

  /** What changed since version `from` (0: the whole report), for a view that holds the report at `from`;
   *  with the findings (which needs the diagnosis of this version) unless `findings` is false. */
  changesSince(from: number, { findings = true }: { findings?: boolean } = {}): ReportUpdate {
    const update: ReportUpdate = this.builder.changesSince(from);
    if (findings) update.findings = this.snapshot().findings;
    return update;
  }

  onDidChange(listener: ReportListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(event: RunnerEvent | null): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (e) {
        // A view that failed must not stop the fold (it runs inside the channel's reader).
        console.error('tfjsDebugger: a report listener failed', e);
      }
    }
  }
}
