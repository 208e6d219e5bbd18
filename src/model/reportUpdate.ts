// Applies a ReportUpdate (what changed in a live run's report between two versions of the host's fold) to the
// report it was taken against: report in, report out. The panel keeps its live report this way, without folding
// the runner's events again.
import type { GradientCallRecord, RunReport } from '../protocol/report.ts';
import type { ReportUpdate } from '../protocol/webviewMessages.ts';

/** Replaces items by key, adds new ones, and keeps the order of `key`. */
function merged<T>(items: readonly T[], changed: readonly T[], key: (item: T) => number): T[] {
  if (changed.length === 0) return [...items];
  const byKey = new Map(items.map((item) => [key(item), item]));
  for (const item of changed) byKey.set(key(item), item);
  return [...byKey.values()].sort((a, b) => key(a) - key(b));
}

/** The report `update` brings `report` to. `report` must be the one at `update.from` (null or anything when
 *  `from` is 0: the update then holds the whole report). */
export function applyReportUpdate(report: RunReport | null, update: ReportUpdate): RunReport {
  const base = update.from === 0 ? null : report;
  const calls = new Map<number, GradientCallRecord>((base?.gradientCalls ?? []).map((c) => [c.index, c]));
  for (const call of update.calls) calls.set(call.index, call);
  const leakSites = update.leakSites ?? base?.leakSites;
  return {
    ...update.header,
    layers: merged(base?.layers ?? [], update.layers, (l) => l.id),
    gradientCalls: update.callIndexes.map((i) => calls.get(i)).filter((c): c is GradientCallRecord => c != null),
    layerTotals: merged(base?.layerTotals ?? [], update.layerTotals, (t) => t.layer),
    ...(leakSites ? { leakSites } : {}),
    findings: update.findings,
    logs: [...(base?.logs ?? []), ...update.logs],
  };
}
