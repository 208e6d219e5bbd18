// no-gradient-calls (info): the script ran to the end without a single gradient call.
import type { Finding, RunReport } from '../../protocol/report.ts';

export const RULE = 'no-gradient-calls';

export function noGradientCalls(report: RunReport): Finding[] {
  if (report.status !== 'completed' || report.gradientCallCount > 0) return [];
  return [{
    rule: RULE, severity: 'info', layer: null, gradientCall: null, source: null,
    summary: 'The script made no gradient call',
    message: 'The script ran to the end but made no gradient call (no tf.grad, variableGrads, optimizer.minimize, fit, fitDataset or trainOnBatch), so there was nothing to compare.',
    fix: 'Run the script that trains the model. If training happens behind a flag or in another file, pass the flag after -- or debug that file.',
  }];
}
