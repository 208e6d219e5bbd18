// One run at a time, and the runner process it owns. RunController puts the questions to the user; this part
// decides what happens to the processes: a second run waits for the first to be stopped (or is refused), Stop
// waits until the runner is gone, and dispose (extension deactivation, window close) kills the runner's whole
// process group at once and lets nothing start afterwards. No vscode import, so tests drive it with real runners.
import type { LaunchResult, RunHandle } from '../../host/launch.ts';

export interface ActiveRun<R> {
  readonly run: R;
  readonly handle: RunHandle;
  /** Settles after the runner has exited and `after` (store, notification) has run. */
  readonly finished: Promise<void>;
}

export type StartResult<T> =
  | { started: true; value: T }
  /** starting: another start is waiting on the user; declined: the user kept the current run; disposed: shutting down. */
  | { started: false; reason: 'starting' | 'declined' | 'disposed' };

export class RunSlot<R> {
  private active: ActiveRun<R> | null = null;
  private starting = false;
  private disposed = false;

  get current(): ActiveRun<R> | null {
    return this.active;
  }

  get running(): boolean {
    return this.active !== null;
  }

  /**
   * Starts a run through `launch`, never two at once: while another start is under way the new one is refused;
   * with a run in progress, `replace` decides (the user is asked), and the current runner is stopped and gone
   * before `launch` is called.
   */
  async start<T>(replace: (current: ActiveRun<R>) => Promise<boolean>, launch: () => T): Promise<StartResult<T>> {
    if (this.disposed) return { started: false, reason: 'disposed' };
    if (this.starting) return { started: false, reason: 'starting' };
    this.starting = true;
    try {
      const current = this.active;
      if (current) {
        if (!(await replace(current))) return { started: false, reason: 'declined' };
        await this.stop();
      }
      if (this.disposed) return { started: false, reason: 'disposed' };
      return { started: true, value: launch() };
    } finally {
      this.starting = false;
    }
  }

  /** Owns a launched runner until it has exited; `after` then runs with its result. */
  hold(run: R, handle: RunHandle, after: (result: LaunchResult) => Promise<void> | void): ActiveRun<R> {
    const active: ActiveRun<R> = {
      run,
      handle,
      finished: handle.done.then(async (result) => {
        if (this.active === active) this.active = null;
        await after(result);
      }),
    };
    this.active = active;
    if (this.disposed) handle.cancel();
    return active;
  }

  /** Stops the run in progress (kills its process group) and waits until it has ended. */
  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.handle.cancel();
    await active.finished;
  }

  /** Deactivation and window close: the runner and everything the script started are killed now, by PID. */
  dispose(): void {
    this.disposed = true;
    this.active?.handle.cancel();
  }
}
