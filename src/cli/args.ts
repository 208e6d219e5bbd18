// Command-line arguments of tfjs-debug.
import { parseArgs } from 'node:util';
import type { Severity } from '../protocol/report.ts';
import type { AttributionMode } from '../protocol/runOptions.ts';
import { UsageError } from '../model/errors.ts';
import { DEFAULT_PROBE_BUDGET } from '../protocol/runOptions.ts';

export const USAGE = `Usage:
  tfjs-debug run <script> [options] [-- script args]
  tfjs-debug probe <model.json> [--data FILE] [options]

run: runs a TensorFlow.js training script unchanged and reports, for every gradient call, the loss before
it (inference mode), during it (the value it computed) and after it, which layer ran in which mode, and
BatchNormalization statistics.
probe: loads a saved layers model (model.json and its weight shards) and makes one gradient call on a
batch: the --data file ({"x": [...], "y": [...]}), or a seeded synthetic batch whose targets are the
model's own inference outputs. No user code runs.

Options:
  --json FILE             write the JSON report (schema version 1) to FILE (- for stdout)
  --html FILE             write a self-contained HTML report to FILE (- for stdout)
  --data FILE             (probe) the batch to probe with
  --backend NAME          auto (default: your tfjs keeps its backend, the bundled one uses wasm), wasm or cpu
  --probe-every N         probe every call up to the 50th, then every Nth (default 10; 0 = never)
  --probe-budget F        share of the training time probes may take, from the first call on (the first
                          two probes measure their cost); 0 = no limit (default 0.03)
  --timeout SECONDS       stop the script after SECONDS (default: no limit)
  --fail-on LEVEL         exit with code 3 when a finding of LEVEL or worse exists (warning|error)
  --history N             gradient calls kept in full in the report (default 1000)
  --memory MB             heap limit of the process that runs the script (default 4096)
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
  command: 'run' | 'probe';
  /** The training script, or the model.json to probe. */
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
}

export type CliCommand = CliRun | { command: 'help' } | { command: 'version' };

const COMMANDS = ['run', 'probe'] as const;


function number(name: string, value: string | undefined, fallback: number, min: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} takes ${integer ? 'a whole number' : 'a number'} of at least ${min}, not "${value}".`);
  }
  return n;
}

const VALUE_OPTIONS = ['json', 'html', 'data', 'backend', 'probe-every', 'probe-budget', 'timeout', 'fail-on', 'history', 'memory', 'tolerance', 'attribution'];

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
  if (!command) throw new UsageError('Name a command: tfjs-debug run <script>, or tfjs-debug probe <model.json> (see tfjs-debug --help).');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`Unknown command "${command}". Use: tfjs-debug run <script>, or tfjs-debug probe <model.json>.`);
  }
  const kind = command as CliRun['command'];
  if (!script) throw new UsageError(kind === 'run' ? 'Name the training script to run: tfjs-debug run <script>.' : 'Name the model to probe: tfjs-debug probe <model.json>.');
  if (kind === 'probe' && (rest.length || passthrough.length)) throw new UsageError('probe takes one model.json and no script arguments.');
  if (kind === 'run' && values.data !== undefined) throw new UsageError('--data goes with probe: tfjs-debug probe <model.json> --data FILE.');
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
  };
}
