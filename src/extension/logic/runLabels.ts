// How a run is named on every surface (sidebar, quick picks, the compare view, the status bar): its name (the
// user's, else the file), when it started, and where it is or how it ended, e.g.
// "batchnorm-mismatch.js · 12:41 · completed · 1 gradient call · 3 findings". Pure: no vscode import.
import { basename, plural } from '../../model/format.ts';
import type { RunPhase } from '../../protocol/webviewMessages.ts';
import type { RunEntry } from './runStore.ts';

const PHASE_TEXT: Record<RunPhase, string> = {
  running: 'running', stopping: 'stopping…', completed: 'completed', failed: 'failed', 'timed-out': 'timed out', cancelled: 'stopped',
};

export function phaseText(phase: RunPhase): string {
  return PHASE_TEXT[phase];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `12:41` for a run started today, `Nov 27 12:41` before (local time). */
export function runTime(startedAt: number, now: number = Date.now()): string {
  const d = new Date(startedAt);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const today = new Date(now);
  if (d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()) return time;
  const month = d.toLocaleString('en-US', { month: 'short' });
  return `${month} ${d.getDate()}${d.getFullYear() === today.getFullYear() ? '' : ` ${d.getFullYear()}`} ${time}`;
}

/** The run's name: the user's, else its file (probes say so). */
export function runName(run: RunEntry): string {
  if (run.name) return run.name;
  const file = basename(run.request.target);
  return run.request.kind === 'probe' ? `${file} (probe)` : file;
}

/** Where the run is: `running · 120 gradient calls`, `completed · 120 gradient calls · 3 findings` (the same count
 *  the status bar and the panel show). */
export function runOutcome(run: RunEntry): string {
  const phase = run.phase;
  const calls = `${phaseText(phase)} · ${plural(run.gradientCallCount, 'gradient call')}`;
  if (phase === 'running' || phase === 'stopping') return calls;
  return `${calls} · ${plural(run.findingCount ?? 0, 'finding')}`;
}

/** `12:41 · completed · 1 gradient call · 3 findings` (the sidebar's description). */
export function runDetail(run: RunEntry, now?: number): string {
  return `${runTime(run.startedAt, now)} · ${runOutcome(run)}`;
}

/** `batchnorm-mismatch.js · 12:41 · completed · 1 gradient call · 3 findings`. */
export function runTitle(run: RunEntry, now?: number): string {
  return `${runName(run)} · ${runDetail(run, now)}`;
}
