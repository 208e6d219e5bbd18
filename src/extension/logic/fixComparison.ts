// "Fix and re-run": the run before a code fix and the run after it, side by side in numbers (the loss gap of
// each, the findings that went or stayed). The panel's run comparison shows them in full where it exists; this
// is the text of the notification and the Output line. Pure: no vscode import.
import type { GradientCallRecord, RunReport } from '../../protocol/report.ts';
import { basename, listed, loss, relativeChange } from '../../model/format.ts';
import { lossesDiffer } from '../../model/lossGaps.ts';

export interface GapNumbers {
  /** The probed call with the largest gap (the loss-gap finding's, when there is one), or null: none probed. */
  call: number | null;
  before: number | null;
  during: number | null;
  /** Whether the gap is over the run's tolerance. */
  open: boolean;
}

/** The loss gap of a run: the call its loss-gap finding names, else the probed call with the largest gap. */
export function gapOf(report: RunReport): GapNumbers {
  const named = report.findings.find((f) => f.rule === 'loss-gap')?.gradientCall ?? null;
  const probed = report.gradientCalls.filter((c) => c.lossBefore != null && c.lossDuring != null);
  const size = (c: GradientCallRecord) => Math.abs((c.lossDuring as number) - (c.lossBefore as number));
  const call = probed.find((c) => c.index === named) ?? (probed.length ? probed.reduce((a, b) => (size(b) > size(a) ? b : a)) : null);
  if (!call) return { call: null, before: null, during: null, open: false };
  return { call: call.index, before: call.lossBefore, during: call.lossDuring, open: lossesDiffer(call.lossDuring, call.lossBefore, report.options.lossGapTolerance) };
}

/** "36.6356 inside the gradient call against 39.6157 in inference (-7.5%)", or "none probed". */
export function gapText(g: GapNumbers): string {
  if (g.call == null) return 'no gradient call was probed';
  if (!g.open) return `none (${loss(g.during)} inside the gradient call, ${loss(g.before)} in inference)`;
  const change = relativeChange(g.before, g.during);
  return `${loss(g.during)} inside the gradient call against ${loss(g.before)} in inference${change ? ` (${change})` : ''}`;
}

export interface FixComparison {
  /** One line for the notification. */
  headline: string;
  /** The lines for the Output channel. */
  detail: string[];
  closed: boolean;
}

/** The comparison of the run before a fix with the run after it. */
export function compareRuns(beforeFix: RunReport, afterFix: RunReport): FixComparison {
  const a = gapOf(beforeFix);
  const b = gapOf(afterFix);
  const name = basename(afterFix.target);
  const rulesBefore = new Set(beforeFix.findings.map((f) => f.rule));
  const rulesAfter = new Set(afterFix.findings.map((f) => f.rule));
  const gone = [...rulesBefore].filter((r) => !rulesAfter.has(r));
  const added = [...rulesAfter].filter((r) => !rulesBefore.has(r));
  const closed = a.open && !b.open && b.call != null;
  let headline: string;
  if (afterFix.status !== 'completed') headline = `${name} after the fix: the run ${afterFix.status === 'cancelled' ? 'was stopped' : afterFix.status}, nothing to compare.`;
  else if (closed) headline = `${name} after the fix: the loss gap is closed (${loss(b.during)} inside the gradient call, ${loss(b.before)} in inference; it was ${relativeChange(a.before, a.during) ?? 'open'}).`;
  else if (a.open && b.open) headline = `${name} after the fix: the loss gap is still open: ${gapText(b)}; it was ${relativeChange(a.before, a.during) ?? 'open'}.`;
  else headline = `${name} after the fix: ${beforeFix.findings.length} → ${afterFix.findings.length} findings.`;
  const detail = [
    `Before the fix: loss gap ${gapText(a)}; findings: ${listed([...rulesBefore], 6) || 'none'}.`,
    `After the fix:  loss gap ${gapText(b)}; findings: ${listed([...rulesAfter], 6) || 'none'}.`,
    ...(gone.length ? [`Gone: ${listed(gone, 6)}.`] : []),
    ...(added.length ? [`New: ${listed(added, 6)}.`] : []),
  ];
  return { headline, detail, closed };
}
