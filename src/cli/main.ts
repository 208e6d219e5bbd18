// tfjs-debug: the command-line front end on the same engine and runner as the extension.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import * as path from 'node:path';
import packageJson from '../../package.json';
import type { RunReport, Severity } from '../protocol/report.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { writeHtmlReport } from '../shell/html.ts';
import { launchRunner } from '../host/launch.ts';
import { UsageError } from '../model/errors.ts';
import { parseCli, USAGE, type CliRun } from './args.ts';
import { checkReportTarget, runInputs, type ReportTarget } from './outputPaths.ts';
import { startPageRun } from './pageRun.ts';
import { ProgressLine } from './progress.ts';
import { terminalText } from './terminalText.ts';
import { formatTextReport } from './textReport.ts';

export const EXIT = { ok: 0, scriptFailed: 1, usage: 2, failOn: 3, timedOut: 4 } as const;

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The exit code for a finished run: the script's own exit status when it failed, as node would exit. */
export function exitCodeFor(report: RunReport, failOn: Severity | null): number {
  switch (report.status) {
    case 'timed-out':
      return EXIT.timedOut;
    case 'cancelled':
      return 128 + constants.signals.SIGINT;
    case 'failed':
      if (report.error?.kind === 'usage') return EXIT.usage;
      return report.exitCode != null && report.exitCode > 0 && report.exitCode < 256 ? report.exitCode : EXIT.scriptFailed;
    default:
      if (failOn && report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return EXIT.failOn;
      return EXIT.ok;
  }
}

/** A closed stdout or stderr (`| head -1`) ends the output quietly, as for any command-line tool. */
function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

function say(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed) stream.write(terminalText(text));
}

/** Where the reports go, checked before the run starts (a report that cannot be written would lose the run). */
function reportTargets(cli: CliRun): { option: '--json' | '--html'; target: ReportTarget }[] {
  const local = cli.command !== 'page' || existsSync(cli.script);
  const inputs = local ? runInputs(path.resolve(cli.script), cli.data ? path.resolve(cli.data) : null, cli.command === 'probe' ? 'probe' : 'run') : [];
  const targets: { option: '--json' | '--html'; target: ReportTarget }[] = [];
  if (cli.json != null) targets.push({ option: '--json', target: checkReportTarget('--json', cli.json, inputs) });
  if (cli.html != null) targets.push({ option: '--html', target: checkReportTarget('--html', cli.html, inputs) });
  const files = targets.flatMap((t) => (t.target.kind === 'file' ? [t.target.file] : []));
  if (files.length === 2 && files[0] === files[1] && files[0] !== '/dev/null') throw new UsageError('--json and --html name the same file. Name two files.');
  return targets;
}

/** A script or a model probe, in the runner process. */
function startRunner(cli: CliRun, toStdout: boolean, onEvent: (event: RunnerEvent) => void): { done: Promise<{ report: RunReport }>; stop(signal: NodeJS.Signals): void } {
  const handle = launchRunner({
    kind: cli.command === 'probe' ? 'probe' : 'script',
    dataFile: cli.data ?? undefined,
    backend: cli.backend,
    script: cli.script,
    args: cli.scriptArgs,
    options: { probeEvery: cli.probeEvery, probeBudget: cli.probeBudget, historySize: cli.history, lossGapTolerance: cli.tolerance, attribution: cli.attribution },
    timeoutMs: cli.timeoutSeconds * 1000,
    memoryLimitMb: cli.memoryMb,
    stdio: toStdout ? 'stderr' : 'inherit',
    onEvent,
  });
  return { done: handle.done, stop: (signal) => handle.interrupt(signal) };
}

/** Writes each report; false when one could not be written. */
function writeReports(report: RunReport, targets: { option: '--json' | '--html'; target: ReportTarget }[], text: NodeJS.WriteStream): boolean {
  let ok = true;
  for (const { option, target } of targets) {
    try {
      const content = option === '--json'
        ? JSON.stringify(report, null, 2) + '\n'
        : writeHtmlReport(report, { js: readFileSync(path.join(__dirname, 'webview.js'), 'utf8'), css: readFileSync(path.join(__dirname, 'webview.css'), 'utf8') });
      if (target.kind === 'stdout') {
        process.stdout.write(content);
      } else {
        writeFileSync(target.file, content);
        say(text, `${option === '--json' ? 'JSON' : 'HTML'} report: ${target.file}\n`);
      }
    } catch (e) {
      ok = false;
      say(process.stderr, `tfjs-debug: could not write the ${option === '--json' ? 'JSON' : 'HTML'} report: ${(e as Error).message}\n`);
    }
  }
  return ok;
}

async function run(cli: CliRun): Promise<number> {
  const targets = reportTargets(cli);
  // A report on stdout keeps stdout for itself: the script's output and the text report go to stderr.
  const toStdout = targets.some((t) => t.target.kind === 'stdout');
  const text = toStdout ? process.stderr : process.stdout;

  const progress = new ProgressLine(process.stderr, !cli.quiet);
  const onEvent = (event: RunnerEvent) => {
    if (event.type === 'gradient-call') progress.update(event.call);
  };
  let handle: { done: Promise<{ report: RunReport }>; stop(signal: NodeJS.Signals): void };
  if (cli.command === 'page') {
    const page = await startPageRun(cli, {
      onEvent,
      // The page's console, as a script's output would be.
      onOutput: (output, stream) => progress.interject(() => say(stream === 'stderr' || toStdout ? process.stderr : process.stdout, output)),
    });
    if (!cli.quiet) say(process.stderr, `tfjs-debug: debugging ${page.opened}; the run ends once the page has sent nothing for ${cli.untilIdleSeconds} s and is not busy, or on Ctrl-C.\n`);
    handle = { done: page.done, stop: () => page.stop() };
  } else {
    handle = startRunner(cli, toStdout, onEvent);
  }
  // SIGINT (Ctrl-C), SIGTERM (timeout, CI cancellation, docker stop) and SIGHUP (a closed terminal): the script
  // gets the signal as it would without the debugger, then every report is written, and the exit code is 128+N.
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
    handle.stop(signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const { report } = await handle.done;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  progress.clear();

  say(text, '\n' + formatTextReport(report, { verbose: cli.verbose }));
  const written = writeReports(report, targets, text);
  if (received) return 128 + constants.signals[received];
  const code = exitCodeFor(report, cli.failOn);
  return code === EXIT.ok && !written ? EXIT.usage : code;
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipes();
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
      say(process.stderr, `tfjs-debug: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
