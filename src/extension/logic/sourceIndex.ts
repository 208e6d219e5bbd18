// Which layers and findings of a report sit where in the user's files, now (through the LocationTracker).
// Pure: no vscode import. The hover, CodeLens and diagnostics providers read through here.
import type { Finding, LayerInfo, RunReport, Severity, SourceLocation } from '../../protocol/report.ts';
import { findingDetails, findingPoint, type FindingDetail } from './findingText.ts';
import { fileKey, type LocationTracker } from './locations.ts';

export interface PlacedLayer {
  layer: LayerInfo;
  at: SourceLocation;
}

export interface PlacedProblem {
  /** A finding's rule id, or `script-error` for the run's own error. */
  code: string;
  severity: Severity;
  message: string;
  layer: number | null;
  at: SourceLocation;
  /** Related information: the gradient call, the fix (places as recorded; the provider moves them). */
  details: FindingDetail[];
}

/** Layers built in `file`, where they are now, in line order. */
export function layersInFile(report: RunReport, tracker: LocationTracker, file: string): PlacedLayer[] {
  const k = fileKey(file);
  const out: PlacedLayer[] = [];
  for (const layer of report.layers) {
    if (!layer.source || fileKey(layer.source.file) !== k) continue;
    const at = tracker.locate(layer.source);
    if (at) out.push({ layer, at });
  }
  return out.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
}

/** Layers built on a 1-based line of `file`. */
export function layersOnLine(report: RunReport, tracker: LocationTracker, file: string, line: number): PlacedLayer[] {
  return layersInFile(report, tracker, file).filter((p) => p.at.line === line);
}

/** Where a finding belongs: its own place, else its layer's, else the top of the run's target. */
export function findingSource(report: RunReport, finding: Finding): SourceLocation {
  if (finding.source) return finding.source;
  const layer = finding.layer == null ? undefined : report.layers.find((l) => l.id === finding.layer);
  return layer?.source ?? { file: report.target, line: 1, column: 1 };
}

/** Findings, and the script's own error, by file (fileKey), where they are now. */
export function problemsByFile(report: RunReport, tracker: LocationTracker): Map<string, PlacedProblem[]> {
  const out = new Map<string, PlacedProblem[]>();
  const add = (loc: SourceLocation, p: Omit<PlacedProblem, 'at'>) => {
    const at = tracker.locate(loc);
    if (!at) return;
    const k = fileKey(at.file);
    const list = out.get(k) ?? [];
    list.push({ ...p, at });
    out.set(k, list);
  };
  for (const f of report.findings) {
    // The point in one line (a Problems row); the gradient call and the fix are its details.
    const source = findingSource(report, f);
    add(source, { code: f.rule, severity: f.severity, message: findingPoint(report, f), layer: f.layer, details: findingDetails(report, f, source) });
  }
  const e = report.error;
  if (e && e.file && e.line && (report.status === 'failed' || report.status === 'timed-out') && e.kind !== 'internal') {
    add({ file: e.file, line: e.line, column: e.column ?? 1 }, { code: 'script-error', severity: 'error', message: e.message, layer: null, details: [] });
  }
  return out;
}

/** Every location of a report that the editor shows something at. */
export function reportLocations(report: RunReport): SourceLocation[] {
  const out: SourceLocation[] = [];
  for (const l of report.layers) if (l.source) out.push(l.source);
  for (const f of report.findings) out.push(findingSource(report, f));
  if (report.error?.file && report.error.line) out.push({ file: report.error.file, line: report.error.line, column: report.error.column ?? 1 });
  return out;
}

/** The first sentence of a finding's text (a period followed by a space and a capital, so 0.5σ stays whole). */
export function firstSentence(text: string): string {
  const m = /^.*?[.!?](?=\s+[A-Z(]|$)/s.exec(text);
  return m ? m[0] : text;
}
