// The processes a run started, so that Stop, a timeout or a signal ends all of them: the runner leads its own
// process group, but a script may start a detached child (its own session and group) or a daemon whose parent
// has already exited. On Linux the tree under the runner is read from /proc when the run is ended, and sampled
// once a second while it runs, so that a descendant re-parented away from the tree is still known (by PID and
// start time, so that a reused PID is never killed). Elsewhere only the group is ended.
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the PID, it names one process for ever. */
  start: string;
}

const hasProc = process.platform === 'linux';

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    // priority nice threads itrealvalue starttime; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return null;
  }
}

function allProcs(): Proc[] {
  if (!hasProc) return [];
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** Every process below `root` now (children, their children, ...). */
function descendantsOf(root: number, procs: Proc[] = allProcs()): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop() as number) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

export class ProcessTree {
  private readonly seen = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly root: number, sampleMs = 1000) {
    if (hasProc) {
      this.timer = setInterval(() => this.sample(), sampleMs);
      this.timer.unref();
    }
  }

  private sample(): void {
    for (const p of descendantsOf(this.root)) this.seen.set(p.pid, p.start);
  }

  /** Sends `signal` to the runner's process group, as a terminal sends Ctrl-C to the foreground group. */
  forward(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.root, signal);
    } catch {
      try {
        process.kill(this.root, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Kills the runner's group and every descendant known, now or before (same PID and start time). */
  kill(): void {
    this.sample();
    this.forward('SIGKILL');
    for (const [pid, start] of this.seen) {
      if (readProc(pid)?.start !== start) {
        this.seen.delete(pid);
        continue;
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
