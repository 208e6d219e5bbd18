// Which code actions Ctrl+. offers on the debugger's diagnostics: for each finding there, the fix its rule has
// in the file (computed by src/fixes on the file's current text), and a "Fix and re-run" twin; one "Show in
// TF.js Debugger" for them all. Places from the run are moved to where that code is now (the LocationTracker),
// and a finding whose code was edited away gets no fix. Pure: no vscode import; the fixes are passed in (the
// extension loads them lazily: they hold the TypeScript compiler).
import type { Finding, RunReport, SourceLocation } from '../../protocol/report.ts';
import type { SourceFix } from '../../fixes/edits.ts';
import { fileKey } from './locations.ts';
import { findingSource } from './sourceIndex.ts';

export type FixesFor = (finding: Finding, report: RunReport, file: string, text: string) => SourceFix[];
export type Locate = (loc: SourceLocation) => SourceLocation | null;

/** A diagnostic of ours, as the provider is given it: its rule id and its 0-based line. */
export interface DiagnosticRef {
  code: string;
  line: number;
}

export interface PlannedFix {
  finding: Finding;
  fix: SourceFix;
}

export interface CodeActionPlan {
  fixes: PlannedFix[];
  /** The layer "Show in TF.js Debugger" opens (the first finding's with one), or null for the panel. */
  showLayer: number | null;
  /** Whether to offer "Show in TF.js Debugger" (some diagnostic of ours is there). */
  show: boolean;
}

/** The findings behind the diagnostics: same rule, placed (now) on the diagnostic's line of this file. */
export function findingsFor(report: RunReport, file: string, diagnostics: readonly DiagnosticRef[], locate: Locate): Finding[] {
  const key = fileKey(file);
  const out: Finding[] = [];
  for (const finding of report.findings) {
    const at = locate(findingSource(report, finding));
    if (!at || fileKey(at.file) !== key) continue;
    if (diagnostics.some((d) => d.code === finding.rule && d.line === at.line - 1) && !out.includes(finding)) out.push(finding);
  }
  return out;
}

/** The report and finding with the places the fixes read (the finding's, its gradient call's) where that code
 *  is now; null when the finding's own place was edited away. */
export function relocated(report: RunReport, finding: Finding, locate: Locate): { report: RunReport; finding: Finding } | null {
  const source = finding.source ? locate(finding.source) : null;
  if (finding.source && !source) return null;
  const gradientCalls = report.gradientCalls.map((c) => (c.source ? { ...c, source: locate(c.source) } : c));
  return { report: { ...report, gradientCalls }, finding: { ...finding, source } };
}

const sameEdits = (a: SourceFix, b: SourceFix) => JSON.stringify(a.edits) === JSON.stringify(b.edits);

/** The code actions for the diagnostics of ours in a document. */
export function planCodeActions(report: RunReport, file: string, text: string, diagnostics: readonly DiagnosticRef[], locate: Locate, fixesFor: FixesFor): CodeActionPlan {
  const findings = findingsFor(report, file, diagnostics, locate);
  const fixes: PlannedFix[] = [];
  for (const finding of findings) {
    const moved = relocated(report, finding, locate);
    if (!moved) continue;
    for (const fix of fixesFor(moved.finding, moved.report, file, text)) {
      // Two findings with one cause (loss-gap and frozen-layer-in-training-mode) may prescribe the same edit.
      if (!fixes.some((f) => sameEdits(f.fix, fix))) fixes.push({ finding, fix });
    }
  }
  return { fixes, show: diagnostics.length > 0, showLayer: findings.find((f) => f.layer != null)?.layer ?? null };
}

/** The title of a fix's "Fix and re-run" twin. */
export function rerunTitle(fix: SourceFix): string {
  return `${fix.title}, then re-run and compare`;
}
