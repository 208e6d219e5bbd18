// no-gradient-calls (info): the script ran to the end (or the page went idle) without a single gradient call.
import type { Finding, RunReport } from '../../protocol/report.ts';

export const RULE = 'no-gradient-calls';

const APIS = 'tf.grad, variableGrads, optimizer.minimize, fit, fitDataset or trainOnBatch';

export function noGradientCalls(report: RunReport): Finding[] {
  if (report.status !== 'completed' || report.gradientCallCount > 0) return [];
  const common = { rule: RULE, severity: 'info', layer: null, gradientCall: null, source: null } as const;
  // A page's run: its target is the page's URL (tfjs-debug page).
  if (/^(https?|file):\/\//i.test(report.target)) {
    return [{
      ...common,
      summary: 'The page made no gradient call',
      message: `The page's tfjs was found, but no gradient call (${APIS}) was made before the run ended, so there was nothing to compare.`,
      fix: 'If the page trains after a click, run without --headless and start it in the browser window, or give it longer with --until-idle. ' +
        'If a web worker trains with a tfjs it bundles itself (webpack, esbuild), hand that tfjs over in the worker: self.__tfjsDebugger?.attach(tf).',
    }];
  }
  return [{
    ...common,
    summary: 'The script made no gradient call',
    message: `The script ran to the end but made no gradient call (${APIS}), so there was nothing to compare.`,
    fix: 'Run the script that trains the model. If training happens behind a flag or in another file, pass the flag after -- or debug that file.',
  }];
}
