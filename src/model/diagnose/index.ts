// The diagnosis rules. Each is a pure function of the run record, in its own module; rule ids are fixed
// (RULE_IDS in the protocol), since other tools key on them.
import type { Finding, RunReport } from '../../protocol/report.ts';
import { backendDivergence } from './backendDivergence.ts';
import { batchnormBatchStatistics } from './batchnormBatchStatistics.ts';
import { dropoutInGradient } from './dropoutInGradient.ts';
import { freezeUndone } from './freezeUndone.ts';
import { frozenLayerInTrainingMode } from './frozenLayerInTrainingMode.ts';
import { lossGap } from './lossGap.ts';
import { nanOrInf } from './nanOrInf.ts';
import { noGradientCalls } from './noGradientCalls.ts';
import { runningStatsFrozen } from './runningStatsFrozen.ts';
import { runningStatsLagging } from './runningStatsLagging.ts';
import { runningStatsShifted } from './runningStatsShifted.ts';
import { tensorLeak } from './tensorLeak.ts';
import { weightsNeverLearn } from './weightsNeverLearn.ts';

export type Rule = (report: RunReport) => Finding[];

export const RULES: Rule[] = [
  nanOrInf, backendDivergence, lossGap, batchnormBatchStatistics, runningStatsLagging, runningStatsFrozen, frozenLayerInTrainingMode,
  weightsNeverLearn, freezeUndone, tensorLeak, runningStatsShifted, dropoutInGradient, noGradientCalls,
];

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function diagnose(report: RunReport): Finding[] {
  return RULES.flatMap((rule) => rule(report)).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
