// Collects what the reliability tests tried and saw, and writes docs/RELIABILITY.md from it, so the
// document cannot drift from the tests. Each test file records its own section.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';

export interface ReliabilityRow {
  case: string;
  tried: number;
  result: string;
  lost: string;
}

const ROOT = path.resolve(__dirname, '..', '..');
const STORE = path.join(ROOT, 'test-results', 'reliability.json');
const DOC = path.join(ROOT, 'docs', 'RELIABILITY.md');

const SECTIONS: Record<string, string> = {
  scripts: 'Bad scripts (through the CLI)',
  fuzz: 'Fuzzing saved models and --data files',
  soak: 'Soak: a long run with probes',
};

export function recordReliability(section: keyof typeof SECTIONS | string, rows: ReliabilityRow[]): void {
  mkdirSync(path.dirname(STORE), { recursive: true });
  const all: Record<string, ReliabilityRow[]> = existsSync(STORE) ? JSON.parse(readFileSync(STORE, 'utf8')) : {};
  all[section] = rows;
  writeFileSync(STORE, JSON.stringify(all, null, 2));
  const lines = [
    '# Reliability',
    '',
    'Written by the tests (test/helpers/reliability.ts) each time they run; every row is a test in `npm test`.',
    '',
  ];
  for (const [key, title] of Object.entries(SECTIONS)) {
    const sectionRows = all[key];
    if (!sectionRows) continue;
    lines.push(`## ${title}`, '', '| case | tried | result | lost |', '| --- | ---: | --- | --- |');
    for (const r of sectionRows) lines.push(`| ${r.case.replace(/\|/g, '\\|')} | ${r.tried} | ${r.result.replace(/\|/g, '\\|')} | ${r.lost} |`);
    lines.push('');
  }
  writeFileSync(DOC, lines.join('\n'));
}
