// docs/RELIABILITY.md is written by the tests, from what they tried and saw, so the document cannot drift from
// them. Each test file owns one section; each of its tests records the row of its case when it passes (and a
// FAILED row when it does not). The document itself is the store: a run of one test file (or of some tests in
// it) rewrites only the rows it ran, and every section and row keeps a fixed order, so the document is the same
// whichever subset of the tests wrote it last.
import { after, test } from 'node:test';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface ReliabilityRow {
  case: string;
  tried: number;
  result: string;
  lost: string;
}

/** What one case's test observed. */
export type Outcome = Omit<ReliabilityRow, 'case'>;

const ROOT = path.resolve(__dirname, '..', '..');
export const RELIABILITY_DOC = path.join(ROOT, 'docs', 'RELIABILITY.md');

/** Sections in the order of the document (the order of issue 7), each written by the test file named. */
export const SECTIONS = {
  inputs: 'Bad inputs: files and usage (test/unit/bad-input.test.ts)',
  scripts: 'Bad scripts, through the CLI (test/unit/reliability.test.ts)',
  faults: 'Process faults, signals, exit status, paths and output files, through the CLI (test/unit/process-faults.test.ts)',
  'script-kinds': 'TypeScript scripts and tfjs versions (test/unit/script-kinds.test.ts)',
  models: 'Saved models, through tfjs-debug probe (test/unit/probe.test.ts)',
  fuzz: 'Fuzzing saved models and --data files (test/unit/fuzz-model-json.test.ts)',
  hostile: 'Hostile saved models and --data files: containment and budgets (test/unit/hostile-models.test.ts)',
  isolation: 'Isolation: the runner as the extension host starts it (test/unit/extension-launch.test.ts)',
  host: 'Extension host: output, messages, arguments, trust, CSP (test/unit/extension-host.test.ts)',
  'e2e-failures': 'In VS Code (code-server): Stop, reload, export (test/e2e/failures.test.ts)',
  'e2e-untrusted': 'In VS Code (code-server): Restricted Mode (test/e2e/untrusted.test.ts)',
  observer: 'No observer effect: weights and random stream, with and without the debugger (test/unit/no-observer-effect.test.ts)',
  soak: 'Soak: a long run with probes (test/unit/reliability.test.ts)',
  network: 'No network at run time (test/unit/no-network.test.ts)',
  hover: 'Hover Markdown and CodeLens (test/unit/extension-presentation.test.ts)',
  panel: 'Panel webview in Chromium (test/webview/panel.test.ts)',
  'html-report': 'HTML report in Chromium (test/webview/html-report.test.ts)',
} as const;

export type SectionKey = keyof typeof SECTIONS;

const HEADER = [
  '# Reliability',
  '',
  'Written by the tests (test/helpers/reliability.ts) each time they run; every row is a test in `npm test`, and',
  'each section names the test file that writes it. "tried" counts the inputs or runs the test made; "result" is',
  'what it observed; "lost" is what the user lost (data, runs, state). A row reads FAILED when its test failed.',
  '',
];

/** A table cell: one line, pipes escaped, and `&` and `<` as entities so that markup in a message (a hostile
 *  layer name, `<script>` in a usage line) shows as text on GitHub instead of being taken as HTML. */
const cell = (s: string | number) => String(s).replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|');
const uncell = (s: string) => s.replace(/\\\|/g, '|').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

/** The sections and rows in the document now (the store). */
export function readReliabilityDoc(file = RELIABILITY_DOC): Map<string, ReliabilityRow[]> {
  const sections = new Map<string, ReliabilityRow[]>();
  if (!existsSync(file)) return sections;
  const byTitle = new Map<string, string>(Object.entries(SECTIONS).map(([k, t]) => [t, k]));
  let rows: ReliabilityRow[] | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const heading = /^## (.*)$/.exec(line);
    if (heading) {
      const key = byTitle.get(heading[1].trim());
      rows = key ? [] : null;
      if (key && rows) sections.set(key, rows);
      continue;
    }
    if (!rows || !line.startsWith('| ') || line.startsWith('| case |') || line.startsWith('| ---')) continue;
    const cells = line.slice(2, -2).split(/ (?<!\\)\| /).map(uncell);
    if (cells.length !== 4) continue;
    rows.push({ case: cells[0], tried: Number(cells[1]), result: cells[2], lost: cells[3] });
  }
  return sections;
}

function renderDoc(sections: Map<string, ReliabilityRow[]>): string {
  const lines = [...HEADER];
  for (const [key, title] of Object.entries(SECTIONS)) {
    const rows = sections.get(key);
    if (!rows?.length) continue;
    lines.push(`## ${title}`, '', '| case | tried | result | lost |', '| --- | ---: | --- | --- |');
    for (const r of rows) lines.push(`| ${cell(r.case)} | ${r.tried} | ${cell(r.result)} | ${cell(r.lost)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

function writeSection(section: SectionKey, merge: (old: ReliabilityRow[]) => ReliabilityRow[]): void {
  const sections = readReliabilityDoc();
  sections.set(section, merge(sections.get(section) ?? []));
  const tmp = `${RELIABILITY_DOC}.${process.pid}.tmp`;
  writeFileSync(tmp, renderDoc(sections));
  renameSync(tmp, RELIABILITY_DOC);
}

/** Replaces a whole section with these rows (for a file whose one test makes all of them). */
export function recordReliability(section: SectionKey, rows: ReliabilityRow[]): void {
  writeSection(section, () => rows);
}

/**
 * The section of one test file. Declare each case in the file's order (`test` does it for you); after the file's
 * tests the section is rewritten: each declared case gets the row its test recorded in this run, else the row
 * it had (its test did not run this time); rows of cases no longer declared are dropped.
 */
export class ReliabilitySection {
  private readonly order: string[] = [];
  private readonly rows = new Map<string, ReliabilityRow>();

  constructor(readonly section: SectionKey) {
    after(() => this.write());
  }

  declare(caseName: string): void {
    if (this.order.includes(caseName)) throw new Error(`${this.section}: case "${caseName}" declared twice`);
    this.order.push(caseName);
  }

  /** Runs one declared case's check: records what it returns, or FAILED with the error (and rethrows). */
  async run(caseName: string, check: () => Outcome | Promise<Outcome>): Promise<void> {
    if (!this.order.includes(caseName)) throw new Error(`${this.section}: case "${caseName}" was not declared`);
    let outcome: Outcome;
    try {
      outcome = await check();
    } catch (e) {
      const first = String((e as Error)?.message ?? e).split('\n')[0].slice(0, 160);
      this.rows.set(caseName, { case: caseName, tried: 0, result: `FAILED: ${first}`, lost: 'not known: the test failed' });
      throw e;
    }
    this.rows.set(caseName, { case: caseName, ...outcome });
  }

  /** A node:test test for one case; `caseName` defaults to the test's name. */
  test(name: string, check: () => Outcome | Promise<Outcome>, opts: { caseName?: string; timeout?: number; todo?: string } = {}): void {
    const caseName = opts.caseName ?? name;
    this.declare(caseName);
    test(name, { timeout: opts.timeout, todo: opts.todo }, () => this.run(caseName, check));
  }

  write(): void {
    if (this.rows.size === 0) return;
    writeSection(this.section, (old) => {
      const previous = new Map(old.map((r) => [r.case, r]));
      return this.order.flatMap((c) => this.rows.get(c) ?? previous.get(c) ?? []);
    });
  }
}

/** Seconds since `started`, as the rows show them. */
export function secondsSince(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** The first `n` characters of a message, for a table cell. */
export function clip(message: string | null | undefined, n = 90): string {
  const m = (message ?? '').replace(/\s+/g, ' ').trim();
  return m.length > n ? `${m.slice(0, n - 1)}…` : m;
}
