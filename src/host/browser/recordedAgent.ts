// Which of a page's agents a run records. The page and each of its dedicated workers has an agent of its own,
// and a run records one tfjs: the first to train (its first record, or its first count of calls started), since a
// Vite app's page hands its tfjs over while a module worker of it trains with a tfjs of its own; or, when none
// trains, the first to attach. Until one trains, every agent's events wait; then the recorded agent's go out in
// order, and an agent that trains too is named in the log, once, and left out.
import type { RunnerEvent } from '../../protocol/runnerEvents.ts';

/** Whether an event says its agent trains: a call's record, or the count of calls started before the records. */
const trains = (event: RunnerEvent) => event.type === 'gradient-call' || event.type === 'calls-started';

export class RecordedAgent {
  /** The session whose agent is recorded, once chosen. */
  private chosen: string | undefined;
  /** Until then, each agent's events, by session in the order they attached. */
  private readonly waiting = new Map<string, RunnerEvent[]>();
  private readonly targets = new Map<string, string>();
  private readonly named = new Set<string>();

  /** @param accept takes the recorded agent's events, in order. */
  constructor(private readonly accept: (event: RunnerEvent) => void) {}

  get session(): string | undefined {
    return this.chosen;
  }

  /** An event from the agent of session `from`. */
  event(event: RunnerEvent, from: string): void {
    if (event.type === 'run-start') this.targets.set(from, event.target);
    if (this.chosen == null) {
      const events = this.waiting.get(from);
      if (events) events.push(event);
      else if (event.type === 'run-start') this.waiting.set(from, [event]);
      if (events && trains(event)) this.choose(from);
      return;
    }
    if (from === this.chosen) return this.accept(event);
    if (trains(event) && !this.named.has(from)) {
      this.named.add(from);
      this.accept({ type: 'log', level: 'warn', message: `a second tfjs trains too (in ${this.targets.get(from) ?? 'another worker'}); only the first one to train is recorded` });
    }
  }

  /** The run ends: when no agent trained, the first to attach is recorded. Returns the recorded session, if any. */
  settle(): string | undefined {
    const first = this.waiting.keys().next();
    if (this.chosen == null && !first.done) this.choose(first.value);
    return this.chosen;
  }

  private choose(from: string): void {
    this.chosen = from;
    const events = this.waiting.get(from) ?? [];
    this.waiting.clear();
    for (const event of events) this.accept(event);
  }
}
