// Command-line arguments of tfjs-debug.
import { parseArgs } from 'node:util';
import type { Severity } from '../protocol/report.ts';
import type { AttributionMode, BackendCheckMode } from '../protocol/runOptions.ts';
import { UsageError } from '../model/errors.ts';
import { DEFAULT_PROBE_BUDGET } from '../protocol/runOptions.ts';

export const USAGE = `Usage:
  tfjs-debug run <script> [options] [-- script args]
  tfjs-debug probe <model.json> [--data FILE] [options]
  tfjs-debug page <url | page.html | vite-app-folder> [--browser PATH] [--headless] [options]

run: runs a TensorFlow.js training script unchanged and reports, for every gradient call, the loss before
it (inference mode), during it (the value it computed) and after it, which layer ran in which mode, and
BatchNormalization statistics.
probe: loads a saved layers model (model.json and its weight shards) and makes one gradient call on a
batch: the --data file ({"x": [...], "y": [...]}), or a seeded synthetic batch whose targets are the
model's own inference outputs. No user code runs.
page: opens a web page that trains with tfjs in a Chromium-family browser (Chrome, Chromium, Edge), with the
debugger inside the page on the page's own tfjs and backend (webgl), and reports as for a script. A page that
loads tfjs by a script tag needs no change; a Vite app folder is served by its own Vite with the debugger's
plugin; any other app calls window.__tfjsDebugger.attach(tf) once (see the README).

Options:
  --json FILE             write the JSON report (schema version 1) to FILE (- for stdout)
  --html FILE             write a self-contained HTML report to FILE (- for stdout)
  --data FILE             (probe) the batch to probe with
  --backend NAME          (run, probe) auto (default: your tfjs keeps its backend, the bundled one uses
                          wasm), wasm or cpu
  --browser PATH          (page) the browser (default: the first Chrome, Chromium or Edge found)
  --headless              (page) no browser window (the default when there is no display)
  --until-idle SECONDS    (page) end the run when the page has sent nothing for SECONDS
                          and is not busy running its code (default 10)
  --backend-check MODE    (page) replay a probed call on cpu and compare layer by layer: auto (on a GPU
                          backend; default), always or off
  --probe-every N         probe every call up to the 50th, then every Nth (default 10; 0 = never)
  --probe-budget F        share of the training time probes may take, from the first call on (the first
                          probe measures their cost); 0 = no limit (default 0.03)
  --timeout SECONDS       stop the script (or the page) after SECONDS (default: no limit)
  --fail-on LEVEL         exit with code 3 when a finding of LEVEL or worse exists (warning|error)
  --history N             gradient calls kept in full in the report (default 1000)
  --memory MB             (run, probe) heap limit of the process that runs the script (default 4096)
  --tolerance X           relative loss gap reported as loss-gap (default 1e-4)
  --attribution MODE      per-layer attribution of the loss gap: auto (when the gap is over the
                          tolerance), always (every probed call) or off
  --quiet                 no progress line on stderr
  --verbose               every layer in the tables and in each finding (default: the ones that matter first)
  -h, --help              this help
  -v, --version           the version

Exit codes: 0 done; the script's own exit status when it failed (1 for an uncaught error); 2 bad usage or
unreadable input; 3 --fail-on met; 4 timed out; 128+N stopped by signal N (130 Ctrl-C, 143 SIGTERM).`;

export interface CliRun {
  command: 'run' | 'probe' | 'page';
  /** The training script, the model.json to probe, or the page (a URL, an .html file or a Vite app folder). */
  script: string;
  scriptArgs: string[];
  data: string | null;
  backend: 'auto' | 'wasm' | 'cpu';
  json: string | null;
  html: string | null;
  probeEvery: number;
  probeBudget: number;
  timeoutSeconds: number;
  failOn: Severity | null;
  history: number;
  memoryMb: number;
  tolerance: number;
  attribution: AttributionMode;
  quiet: boolean;
  verbose: boolean;
  /** page: the browser to use (null: the first found), whether without a window (null: when there is no
   *  display), the idle time that ends the run, and the cross-backend check. */
  browser: string | null;
  headless: boolean | null;
  untilIdleSeconds: number;
  backendCheck: BackendCheckMode;
}

export type CliCommand = CliRun | { command: 'help' } | { command: 'version' };

const COMMANDS = ['run', 'probe', 'page'] as const;
/** Options that only some commands take. */
const ONLY_FOR: Record<string, CliRun['command'][]> = {
  data: ['probe'], backend: ['run', 'probe'], memory: ['run', 'probe'],
  browser: ['page'], headless: ['page'], 'until-idle': ['page'], 'backend-check': ['page'],
};

function number(name: string, value: string | undefined, fallback: number, min: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} takes ${integer ? 'a whole number' : 'a number'} of at least ${min}, not "${value}".`);
  }
  return n;
}

const VALUE_OPTIONS = ['json', 'html', 'data', 'backend', 'probe-every', 'probe-budget', 'timeout', 'fail-on', 'history', 'memory', 'tolerance', 'attribution', 'browser', 'until-idle', 'backend-check'];

/** `--timeout -1` as `--timeout=-1`, so that a negative number is read as the option's value (and refused with
 *  the option's own message) rather than as an unknown option. */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : null;
    if (name && VALUE_OPTIONS.includes(name) && i + 1 < args.length && /^-\d|^-\.\d|^-$/.test(args[i + 1])) {
      out.push(`${args[i]}=${args[i + 1]}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

const MISSING_TARGET: Record<CliRun['command'], string> = {
  run: 'Name the training script to run: tfjs-debug run <script>.',
  probe: 'Name the model to probe: tfjs-debug probe <model.json>.',
  page: 'Name the page to debug: tfjs-debug page <url | page.html | vite-app-folder>.',
};

export function parseCli(argv: string[]): CliCommand {
  const dashdash = argv.indexOf('--');
  const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  const passthrough = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const joined = joinNegativeValues(own);
  const dashed = joined.find((a) => /^-[^-].*\.(?:[cm]?[jt]s|json)$/.test(a));
  if (dashed) throw new UsageError(`"${dashed}" starts with a dash, so it reads as options. Name the file as ./${dashed}.`);
  let parsed;
  try {
    parsed = parseArgs({
      args: joined,
      allowPositionals: true,
      options: {
        json: { type: 'string' },
        html: { type: 'string' },
        data: { type: 'string' },
        backend: { type: 'string' },
        'probe-every': { type: 'string' },
        'probe-budget': { type: 'string' },
        timeout: { type: 'string' },
        'fail-on': { type: 'string' },
        history: { type: 'string' },
        memory: { type: 'string' },
        tolerance: { type: 'string' },
        attribution: { type: 'string' },
        browser: { type: 'string' },
        headless: { type: 'boolean' },
        'until-idle': { type: 'string' },
        'backend-check': { type: 'string' },
        quiet: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see tfjs-debug --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, script, ...rest] = positionals;
  const commands = 'tfjs-debug run <script>, tfjs-debug probe <model.json>, or tfjs-debug page <url>';
  if (!command) throw new UsageError(`Name a command: ${commands} (see tfjs-debug --help).`);
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Unknown command "${command}". Use: ${commands}.`);
  const kind = command as CliRun['command'];
  if (!script) throw new UsageError(MISSING_TARGET[kind]);
  if (kind !== 'run' && (rest.length || passthrough.length)) throw new UsageError(`${kind} takes one ${kind === 'probe' ? 'model.json' : 'page'} and no script arguments.`);
  for (const [option, kinds] of Object.entries(ONLY_FOR)) {
    if (values[option as keyof typeof values] !== undefined && !kinds.includes(kind)) {
      throw new UsageError(`--${option} goes with ${kinds.join(' and ')}, not with ${kind} (see tfjs-debug --help).`);
    }
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'warning' && failOn !== 'error') {
    throw new UsageError(`--fail-on takes warning or error, not "${failOn}".`);
  }
  const attribution = values.attribution ?? 'auto';
  if (attribution !== 'auto' && attribution !== 'always' && attribution !== 'off') {
    throw new UsageError(`--attribution takes auto, always or off, not "${attribution}".`);
  }
  for (const option of ['json', 'html'] as const) {
    if (values[option] === '') throw new UsageError(`--${option} needs a file name (or - for stdout), not an empty string.`);
  }
  if (values.json === '-' && values.html === '-') throw new UsageError('Only one report can go to stdout: give --json - or --html -, and a file for the other.');
  const backendCheck = values['backend-check'] ?? 'auto';
  if (backendCheck !== 'auto' && backendCheck !== 'always' && backendCheck !== 'off') {
    throw new UsageError(`--backend-check takes auto, always or off, not "${backendCheck}".`);
  }
  if (values.browser === '') throw new UsageError('--browser needs the path of a browser, not an empty string.');
  const backend = values.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend takes auto, wasm or cpu, not "${backend}".`);
  return {
    command: kind,
    backend,
    script,
    scriptArgs: [...rest, ...passthrough],
    data: values.data ?? null,
    json: values.json ?? null,
    html: values.html ?? null,
    probeEvery: number('probe-every', values['probe-every'], 10, 0, true),
    probeBudget: number('probe-budget', values['probe-budget'], DEFAULT_PROBE_BUDGET, 0),
    timeoutSeconds: number('timeout', values.timeout, 0, 0),
    failOn: (failOn as Severity | undefined) ?? null,
    history: number('history', values.history, 1000, 10, true),
    memoryMb: number('memory', values.memory, 4096, 32, true),
    tolerance: number('tolerance', values.tolerance, 1e-4, 0),
    attribution,
    quiet: Boolean(values.quiet),
    verbose: Boolean(values.verbose),
    browser: values.browser ?? null,
    headless: values.headless ? true : null,
    untilIdleSeconds: number('until-idle', values['until-idle'], 10, 0.1),
    backendCheck,
  };
}
