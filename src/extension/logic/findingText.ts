// How a finding reads in the editor: the point first (a Problems row, a hover line: what happens and what it does
// to the loss, in one line), the rest as details (related information: where the gradient call is, the fix), and
// a layer's share of a loss gap in words that cannot read as nonsense ("all of the gap", not "133% of loss gap";
// "narrows the gap", not "-3%"). Pure: no vscode import.
import type { Finding, RunReport, SourceLocation } from '../../protocol/report.ts';
import { loss, percent, relativeChange } from '../../model/format.ts';
import { shortClass } from '../../model/layerClasses.ts';

/** What a mode-dependent layer does differently in training mode, by class. */
const TRAINING_BEHAVIOUR: Record<string, string> = {
  BatchNormalization: 'normalises with batch statistics',
  Dropout: 'drops units',
  SpatialDropout1D: 'drops channels',
  GaussianNoise: 'adds noise',
  GaussianDropout: 'multiplies by noise',
  AlphaDropout: 'drops units',
};

/** The first sentence of a text (a period followed by a space and a capital, so 0.5σ stays whole). */
function firstSentence(text: string): string {
  const m = /^.*?[.!?](?=\s+[A-Z(]|$)/s.exec(text);
  return m ? m[0] : text;
}

/** The one line a finding starts with. */
export function findingPoint(report: RunReport, finding: Finding): string {
  if (finding.rule === 'loss-gap') {
    const call = report.gradientCalls.find((c) => c.index === finding.gradientCall);
    const change = call ? relativeChange(call.lossBefore, call.lossDuring) : null;
    const effect = change ? `: loss ${change}` : '';
    const several = (finding.layers?.length ?? 0) > 1;
    const layer = finding.layer == null ? undefined : report.layers.find((l) => l.id === finding.layer);
    if (layer && !several) {
      const does = TRAINING_BEHAVIOUR[layer.className] ?? 'runs in training mode';
      return `${shortClass(layer.className)} ${does} inside the gradient call${effect}`;
    }
    if (several) return `${finding.layers?.length} layers run in training mode inside the gradient call${effect}`;
    return `Training mode changes the loss inside the gradient call${effect}`;
  }
  return finding.summary ?? firstSentence(finding.message);
}

export interface FindingDetail {
  message: string;
  at: SourceLocation;
}

/** The details under a finding's row (the editor's hover shows them too, so two short lines): the gradient call
 *  with its losses, and the fix. */
export function findingDetails(report: RunReport, finding: Finding, at: SourceLocation): FindingDetail[] {
  const out: FindingDetail[] = [];
  const call = report.gradientCalls.find((c) => c.index === finding.gradientCall);
  if (call?.source) {
    const losses = call.lossBefore != null && call.lossDuring != null
      ? `: loss ${loss(call.lossDuring)} inside, ${loss(call.lossBefore)} in inference mode${call.lossAfter != null ? `, ${loss(call.lossAfter)} after` : ''}`
      : '';
    out.push({ message: `Gradient call #${call.index} (${call.api})${losses}`, at: call.source });
  }
  out.push({ message: `Fix: ${firstSentence(finding.fix)}`, at });
  return out;
}

/** A layer's share of the loss gap, for a person: clamped, and said in words at the ends. */
export function shareText(share: number): string {
  if (!Number.isFinite(share)) return 'an unknown share of the loss gap';
  if (share >= 0.95) return 'all of the loss gap';
  if (share <= -0.05) return 'narrows the loss gap';
  if (share < 0.05) return 'almost none of the loss gap';
  return `${percent(share)} of the loss gap`;
}
