// The losses of a run's probed gradient calls as series over the call index (the panel's loss chart, and each
// side of the compare view), with a gap where the bounded history dropped calls.
import type { RunReport } from '../../protocol/report.ts';
import type { LossSeries } from '../../protocol/webviewMessages.ts';
import { historyHead } from '../history.ts';

/** Where the history dropped calls: the position in `gradientCalls` of the first kept call after the dropped
 *  range (the report keeps the first calls and the most recent ones), or -1. By call index, so that it holds for a
 *  view that has only some of the kept calls (the panel is sent the probed ones while a run streams). */
export function historyBreak(report: RunReport): number {
  if (!report.gradientCallsDropped) return -1;
  const head = historyHead(report.options.historySize);
  if (head <= 0) return -1;
  const at = report.gradientCalls.findIndex((c) => c.index > head);
  return at > 0 ? at : -1;
}

/** The calls the history dropped, for a note: [first, last] call index, or null. */
export function droppedRange(report: RunReport): [number, number] | null {
  if (historyBreak(report) < 0) return null;
  const head = historyHead(report.options.historySize);
  return [head + 1, head + report.gradientCallsDropped];
}

function finiteOrNull(x: number | null): number | null {
  return x != null && Number.isFinite(x) ? x : null;
}

/** The probed gradient calls' losses, by call index; a point without values where the history dropped calls
 *  (its position is in `gaps`), so lines do not bridge them. */
export function lossSeries(report: RunReport): LossSeries {
  const s: LossSeries = { x: [], before: [], during: [], after: [], afterStep: [], gaps: [] };
  const cut = historyBreak(report);
  report.gradientCalls.forEach((c, i) => {
    if (i === cut && s.x.length) {
      s.gaps.push(s.x.length);
      s.x.push((report.gradientCalls[i - 1].index + c.index) / 2);
      s.before.push(null); s.during.push(null); s.after.push(null); s.afterStep.push(null);
    }
    if (!c.probed) return;
    s.x.push(c.index);
    s.before.push(finiteOrNull(c.lossBefore));
    s.during.push(finiteOrNull(c.lossDuring));
    s.after.push(finiteOrNull(c.lossAfter));
    s.afterStep.push(finiteOrNull(c.lossAfterStep));
  });
  return s;
}
