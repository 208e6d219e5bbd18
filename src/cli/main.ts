// tfjs-debug: the command-line front end on the same engine and runner as the extension.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import packageJson from '../../package.json';
import type { RunReport, RunnerEvent, Severity } from '../protocol.ts';
import { writeHtmlReport } from '../core/report/html.ts';
import { launchRunner } from '../runner/launch.ts';
import { parseCli, USAGE, UsageError, type CliRun } from './args.ts';
import { ProgressLine } from './progress.ts';
import { formatTextReport } from './textReport.ts';

export const EXIT = { ok: 0, scriptFailed: 1, usage: 2, failOn: 3, timedOut: 4, cancelled: 130 } as const;

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function exitCodeFor(report: RunReport, failOn: Severity | null): number {
  switch (report.status) {
    case 'timed-out':
      return EXIT.timedOut;
    case 'cancelled':
      return EXIT.cancelled;
    case 'failed':
      return report.error?.kind === 'usage' ? EXIT.usage : EXIT.scriptFailed;
    default:
      if (failOn && report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return EXIT.failOn;
      return EXIT.ok;
  }
}

async function run(cli: CliRun): Promise<number> {
  const progress = new ProgressLine(process.stderr, !cli.quiet);
  const handle = launchRunner({
    kind: cli.command === 'probe' ? 'probe' : 'script',
    dataFile: cli.data ?? undefined,
    backend: cli.backend,
    script: cli.script,
    args: cli.scriptArgs,
    options: { probeEvery: cli.probeEvery, probeBudget: cli.probeBudget, historySize: cli.history, lossGapTolerance: cli.tolerance, attribution: cli.attribution },
    timeoutMs: cli.timeoutSeconds * 1000,
    memoryLimitMb: cli.memoryMb,
    stdio: 'inherit',
    onEvent: (event: RunnerEvent) => {
      if (event.type === 'gradient-call') progress.update(event.call);
    },
  });
  const onSigint = () => handle.cancel();
  process.once('SIGINT', onSigint);
  const { report } = await handle.done;
  process.removeListener('SIGINT', onSigint);
  progress.clear();

  process.stdout.write('\n' + formatTextReport(report));
  if (cli.json) {
    const file = path.resolve(cli.json);
    try {
      writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
      process.stdout.write(`JSON report: ${file}\n`);
    } catch (e) {
      process.stderr.write(`tfjs-debug: could not write the JSON report to ${file}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  if (cli.html) {
    const file = path.resolve(cli.html);
    try {
      const assets = { js: readFileSync(path.join(__dirname, 'webview.js'), 'utf8'), css: readFileSync(path.join(__dirname, 'webview.css'), 'utf8') };
      writeFileSync(file, writeHtmlReport(report, assets));
      process.stdout.write(`HTML report: ${file}\n`);
    } catch (e) {
      process.stderr.write(`tfjs-debug: could not write the HTML report to ${file}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  return exitCodeFor(report, cli.failOn);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cli = parseCli(argv);
    if (cli.command === 'help') {
      process.stdout.write(USAGE + '\n');
      return EXIT.ok;
    }
    if (cli.command === 'version') {
      process.stdout.write(`${packageJson.version}\n`);
      return EXIT.ok;
    }
    return await run(cli);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tfjs-debug: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
