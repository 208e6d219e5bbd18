// The CLI's text output: summary, per-layer table, BatchNorm statistics, loss table and findings, each
// readable in an 80-column terminal. Long lists (layers of a 100-layer model, the layers a grouped finding
// covers) show what matters first and say how many more there are; --verbose shows everything.
import type { BatchNormStats, Finding, GradientCallRecord, LayerInfo, RunReport } from '../protocol/report.ts';
import { batchNormDrift } from '../model/diagnose/batchNormStats.ts';
import { basename, listed, num, plural } from '../model/format.ts';
import { MODE_DEPENDENT_CLASSES, shortClass } from '../model/layerClasses.ts';
import { layerTotalsOf } from '../model/layerTotals.ts';
import { callsOutside, modeInside, modeOutside } from '../model/views/layerModes.ts';
import { hasBatchNorm, hasGradNorm, hasOutput, lastRecords } from '../model/views/layerRecords.ts';
import { trainsOf } from '../model/views/trainability.ts';

const WIDTH = 80;
const MAX_LOSS_ROWS = 20;
/** Rows of a per-layer table shown without --verbose. */
const MAX_LAYER_ROWS = 20;
const MAX_STAT_ROWS = 5;

export interface TextOptions {
  /** Every layer in every table and finding. */
  verbose?: boolean;
}

/** At most `max` of the rows (all with verbose), and a line saying how many were left out. */
function capped(rows: string[][], max: number, verbose: boolean, what: string): { rows: string[][]; note: string[] } {
  if (verbose || rows.length <= max) return { rows, note: [] };
  return { rows: rows.slice(0, max), note: [`  … ${rows.length - max} more ${what} (--verbose lists every one)`] };
}

/** Cut to `width`: at the end, in the middle (layer names: `batch_norm…ization3` keeps what tells them apart),
 *  or at the start (places: `…rain.js:12` keeps the line). */
type Cut = 'end' | 'middle' | 'start';

function fit(s: string, width: number, cut: Cut = 'end'): string {
  if (s.length <= width) return s;
  const keep = Math.max(0, width - 1);
  if (cut === 'start') return '…' + s.slice(s.length - keep);
  if (cut === 'middle') return s.slice(0, Math.ceil(keep / 2)) + '…' + s.slice(s.length - Math.floor(keep / 2));
  return s.slice(0, keep) + '…';
}

type Align = 'l' | 'r';
/** Columns of layer names and of places, cut so that what tells rows apart stays. */
const CUT_BY_HEADER: Record<string, Cut> = { layer: 'middle', line: 'start', at: 'start' };

function table(header: string[], rows: string[][], widths: number[], align: Align[]): string[] {
  const line = (cells: string[], cutCells: boolean) =>
    cells.map((c, i) => {
      const v = fit(c, widths[i], cutCells ? CUT_BY_HEADER[header[i]] : 'end');
      return align[i] === 'r' ? v.padStart(widths[i]) : v.padEnd(widths[i]);
    }).join(' ').trimEnd();
  return [line(header, false), ...rows.map((r) => line(r, true))];
}

function wrap(text: string, indent: string): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > WIDTH && line.trim()) {
      out.push(line.trimEnd());
      line = indent;
    }
    line += (line.trim() ? ' ' : '') + word;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}

function seconds(ms: number | null): string {
  return ms == null ? '' : ` in ${(ms / 1000).toFixed(1)} s`;
}

/** `mixed ×3`, short for a table cell. */
function outsideLabel(layer: LayerInfo): string {
  const mode = modeOutside(layer);
  return mode ? `${mode} ×${callsOutside(layer)}` : '—';
}

/** Where something is, short: `:12` in the target script itself, `file.ts:12` elsewhere. */
function at(report: RunReport, source: { file: string; line: number } | null): string {
  if (!source) return '—';
  return source.file === report.target ? `:${source.line}` : `${basename(source.file)}:${source.line}`;
}

function layerSection(report: RunReport, verbose: boolean): string[] {
  const layers = report.layers.filter((l) => !l.isContainer);
  if (layers.length === 0) return [];
  const modes = layerTotalsOf(report);
  const grads = lastRecords(report, hasGradNorm);
  const last = lastRecords(report);
  const cls = (l: LayerInfo) => shortClass(l.className) + (MODE_DEPENDENT_CLASSES.has(l.className) ? '*' : '');
  const inside = (l: LayerInfo) => modeInside(modes.get(l.id)) ?? '—';
  if (layers.length > MAX_LAYER_ROWS && !verbose) return groupedLayerSection(report, layers, (l) => [cls(l), inside(l), outsideLabel(l), trainsOf(last.get(l.id), l)]);
  const rows = layers.map((l) => [
    String(l.id),
    l.name,
    cls(l),
    inside(l),
    outsideLabel(l),
    trainsOf(last.get(l.id), l),
    num(grads.get(l.id)?.gradNorm, 3),
    at(report, l.source),
  ]);
  return [
    'Layers: mode in and out of gradient calls (*: mode-dependent), trains or not',
    ...table(['id', 'layer', 'class', 'in grad', 'outside', 'trains', '|grad|', 'line'], rows, [3, 20, 10, 9, 12, 7, 6, 6], ['r', 'l', 'l', 'l', 'l', 'l', 'r', 'l']),
  ];
}

/** A model with many layers: one row per kind of layer (class, modes, whether it trains), with how many. */
function groupedLayerSection(report: RunReport, layers: LayerInfo[], kind: (l: LayerInfo) => string[]): string[] {
  const groups = new Map<string, { cells: string[]; layers: LayerInfo[] }>();
  for (const l of layers) {
    const cells = kind(l);
    const key = cells.join('\u0000');
    const g = groups.get(key) ?? { cells, layers: [] };
    g.layers.push(l);
    groups.set(key, g);
  }
  const rows = [...groups.values()].map((g) => {
    const lines = [...new Set(g.layers.map((l) => at(report, l.source)))];
    return [String(g.layers.length), ...g.cells, lines.length <= 2 ? lines.join(' ') : `${lines[0]} …`];
  });
  return [
    `Layers (${layers.length}), grouped by kind (*: mode-dependent; --verbose lists each one)`,
    ...table(['count', 'class', 'in grad', 'outside', 'trains', 'line'], rows, [5, 10, 9, 12, 7, 14], ['r', 'l', 'l', 'l', 'l', 'l']),
  ];
}

function channelSummary(values: number[]): string {
  if (values.length === 0) return '—';
  if (values.length === 1) return num(values[0]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${num(mean)} avg`;
}

function batchNormSection(report: RunReport, verbose: boolean): string[] {
  const last = lastRecords(report, hasBatchNorm);
  if (last.size === 0) return [];
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  // Worst drift first when the table is cut.
  const records = [...last.values()];
  if (records.length > MAX_STAT_ROWS && !verbose) records.sort((a, b) => (batchNormDrift(b.batchNorm!) ?? 0) - (batchNormDrift(a.batchNorm!) ?? 0));
  const all = records.map((r) => {
    const bn = r.batchNorm as BatchNormStats;
    return [
      byId.get(r.layer)?.name ?? String(r.layer),
      String(bn.batchMean.length || bn.movingMeanBefore.length),
      `${channelSummary(bn.movingMeanBefore)} → ${channelSummary(bn.movingMeanAfter)}`,
      channelSummary(bn.batchMean),
      `${channelSummary(bn.movingVarianceBefore)} → ${channelSummary(bn.movingVarianceAfter)}`,
      channelSummary(bn.batchVariance),
      `${num(batchNormDrift(bn), 3)}σ`,
    ];
  });
  const momentum = records[0].batchNorm?.momentum;
  const { rows, note } = capped(all, MAX_STAT_ROWS, verbose, 'BatchNorm layers');
  return [
    `BatchNorm statistics, last recorded call (momentum ${momentum}, tfjs/Keras convention:`,
    `moving ← moving − (moving − batch)·(1 − momentum))`,
    ...table(['layer', 'ch', 'moving mean', 'batch mean', 'moving var', 'batch var', 'drift'], rows,
      [15, 3, 15, 10, 15, 10, 6], ['l', 'r', 'l', 'r', 'l', 'r', 'r']),
    ...note,
  ];
}

function outputSection(report: RunReport, verbose: boolean): string[] {
  const last = lastRecords(report, hasOutput);
  if (last.size === 0) return [];
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  const all = [...last.values()].map((r) => {
    const o = r.output!;
    return [byId.get(r.layer)?.name ?? String(r.layer), r.mode, num(o.mean), num(o.std), num(o.min), num(o.max), `${o.nanCount}/${o.infCount}`];
  });
  const { rows, note } = capped(all, MAX_STAT_ROWS, verbose, 'layers');
  return [
    'Layer outputs inside the last probed gradient call',
    ...table(['layer', 'mode', 'mean', 'std', 'min', 'max', 'NaN/Inf'], rows, [24, 9, 9, 8, 8, 8, 7], ['l', 'l', 'r', 'r', 'r', 'r', 'r']),
    ...note,
  ];
}

function lossSection(report: RunReport): string[] {
  const calls = report.gradientCalls.filter((c) => c.probed);
  if (calls.length === 0) return [];
  const shown = calls.length <= MAX_LOSS_ROWS ? calls : [...calls.slice(0, MAX_LOSS_ROWS / 2), null, ...calls.slice(-MAX_LOSS_ROWS / 2)];
  const rows = shown.map((c) => c == null
    ? ['…', '', '', '', '', '', '']
    : [String(c.index), c.api, at(report, c.source),
      num(c.lossBefore, 6), num(c.lossDuring, 6), num(c.lossAfter, 6), num(c.lossAfterStep, 6)]);
  return [
    'Loss per probed gradient call (before, after: inference; during: the call)',
    ...table(['#', 'api', 'at', 'before', 'during', 'after', 'after step'], rows, [5, 18, 10, 10, 10, 10, 10], ['r', 'l', 'l', 'r', 'r', 'r', 'r']),
    ...(calls.length < report.gradientCallCount
      ? [`  ${report.gradientCallCount} gradient calls in all; ${calls.length} probed and kept (--probe-budget and --probe-every set how often).`]
      : []),
    ...probeNotes(calls),
  ];
}

/** Why probes failed, once per reason, with the calls it applies to. */
function probeNotes(calls: GradientCallRecord[]): string[] {
  const byReason = new Map<string, number[]>();
  for (const c of calls) if (c.probeError) byReason.set(c.probeError, [...(byReason.get(c.probeError) ?? []), c.index]);
  return [...byReason].flatMap(([reason, indices]) => {
    const which = indices.length === 1 ? `call ${indices[0]}` : `${indices.length} calls (${indices.slice(0, 5).join(', ')}${indices.length > 5 ? ', …' : ''})`;
    return wrap(`${which}: ${reason}`, '  ');
  });
}

function findingLines(f: Finding, byId: Map<number, LayerInfo>, verbose: boolean): string[] {
  const where = f.source ? ` · ${basename(f.source.file)}:${f.source.line}:${f.source.column}` : '';
  const covered = f.layers && f.layers.length > 1
    ? wrap(`Layers (${f.layers.length}): ${listed(f.layers.map((id) => byId.get(id)?.name ?? `layer ${id}`), verbose ? Infinity : 3)}` +
      `${!verbose && f.layers.length > 3 ? ' (--verbose lists every one)' : ''}`, '  ')
    : [];
  return [
    fit(`${f.severity} ${f.rule}${where}`, WIDTH),
    ...wrap(f.summary ?? f.message, '  '),
    ...(f.summary ? wrap(f.message, '  ') : []),
    ...covered,
    ...wrap(`Fix: ${f.fix}`, '  '),
  ];
}

export function formatTextReport(report: RunReport, { verbose = false }: TextOptions = {}): string {
  const out: string[] = [];
  const tfjs = report.tfjs;
  const exit = report.status === 'failed' && report.exitCode ? ` (exit code ${report.exitCode})` : '';
  out.push(fit(`TF.js Model Debugger · ${basename(report.target)} · ${report.status}${exit}${seconds(report.durationMs)}`, WIDTH));
  if (tfjs) {
    const probed = report.gradientCalls.filter((c) => c.probed);
    const failed = probed.filter((c) => c.probeError).length;
    const fallbacks = tfjs.fallbackKernels?.length ? `; cpu kernels for ${tfjs.fallbackKernels.join(', ')}` : '';
    out.push(...wrap(`tfjs ${tfjs.version} (${tfjs.source === 'workspace' ? "the project's own copy" : 'bundled'}, backend ${tfjs.backend}${fallbacks}) · ` +
      `${plural(report.gradientCallCount, 'gradient call')}, ${probed.length} probed` +
      (failed ? ` (${failed} could not be: see below)` : ''), ''));
  }
  if (report.error) {
    out.push('');
    const { file, line, message } = report.error;
    const where = file && !message.includes(file) ? ` (${file}${line ? `:${line}` : ''})` : '';
    out.push(...wrap(`Error${where}: ${message}`, ''));
    const frames = (report.error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !/node:internal|[\\/]dist[\\/]runner\.js/.test(l)).slice(0, 6);
    out.push(...frames);
  }
  const warnings = report.logs.filter((l) => l.startsWith('warn: ')).map((l) => l.slice(6));
  if (warnings.length) {
    out.push('');
    for (const w of warnings.slice(0, 5)) out.push(...wrap(`Warning: ${w}`, ''));
  }
  for (const section of [layerSection(report, verbose), batchNormSection(report, verbose), outputSection(report, verbose), lossSection(report)]) {
    if (section.length) out.push('', ...section);
  }
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  if (report.findings.length) {
    out.push('', `Findings (${report.findings.length})`);
    for (const f of report.findings) out.push('', ...findingLines(f, byId, verbose));
  } else if (report.status === 'completed') {
    out.push('', 'No findings.');
  }
  return out.join('\n') + '\n';
}
