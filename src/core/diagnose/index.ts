// The diagnosis rules. Each is a pure function of the run record, in its own module; rule ids are fixed,
// since other tools key on them.
import type { Finding, RunReport } from '../../protocol.ts';
import { lossGap } from './lossGap.ts';
import { noGradientCalls } from './noGradientCalls.ts';

export type Rule = (report: RunReport) => Finding[];

export const RULES: Rule[] = [lossGap, noGradientCalls];

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function diagnose(report: RunReport): Finding[] {
  return RULES.flatMap((rule) => rule(report)).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
