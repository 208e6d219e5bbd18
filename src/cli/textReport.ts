// The CLI's text output: summary, per-layer table, BatchNorm statistics, loss table and findings, each
// readable in an 80-column terminal.
import type { BatchNormStats, Finding, GradientCallRecord, LayerCallRecord, LayerInfo, LayerTotals, RunReport } from '../protocol.ts';
import { batchNormDrift } from '../core/diagnose/batchNormStats.ts';
import { basename, fmt } from '../core/diagnose/context.ts';
import { MODE_DEPENDENT_CLASSES, shortClass } from '../core/layerClasses.ts';
import { layerTotalsOf } from '../core/report/layerTotals.ts';

const WIDTH = 80;
const MAX_LOSS_ROWS = 20;

function fit(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(0, width - 1)) + '…';
}

type Align = 'l' | 'r';

function table(header: string[], rows: string[][], widths: number[], align: Align[]): string[] {
  const line = (cells: string[]) =>
    cells.map((c, i) => {
      const v = fit(c, widths[i]);
      return align[i] === 'r' ? v.padStart(widths[i]) : v.padEnd(widths[i]);
    }).join(' ').trimEnd();
  return [line(header), ...rows.map(line)];
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

/** The most recent record of each layer across the recorded gradient calls. */
function lastRecordByLayer(calls: GradientCallRecord[], pick: (r: LayerCallRecord) => boolean = () => true): Map<number, LayerCallRecord> {
  const map = new Map<number, LayerCallRecord>();
  for (const call of calls) for (const r of call.layers) if (pick(r)) map.set(r.layer, r);
  return map;
}

function modeLabel(t: LayerTotals | undefined): string {
  if (!t) return '—';
  const kinds = (['training', 'inference', 'mixed'] as const).filter((m) => t[m] > 0);
  if (kinds.length === 0) return '—';
  return kinds.length > 1 ? 'mixed' : kinds[0];
}

function outsideLabel(layer: LayerInfo): string {
  const { training, inference } = layer.outsideCalls;
  if (training + inference === 0) return '—';
  if (training && inference) return `mixed ×${training + inference}`;
  return training ? `training ×${training}` : `inference ×${inference}`;
}

/** Where something is, short: `:12` in the target script itself, `file.ts:12` elsewhere. */
function at(report: RunReport, source: { file: string; line: number } | null): string {
  if (!source) return '—';
  return source.file === report.target ? `:${source.line}` : `${basename(source.file)}:${source.line}`;
}

function layerSection(report: RunReport): string[] {
  const layers = report.layers.filter((l) => !l.isContainer);
  if (layers.length === 0) return [];
  const modes = layerTotalsOf(report);
  const grads = lastRecordByLayer(report.gradientCalls, (r) => r.gradNorm != null);
  const rows = layers.map((l) => [
    String(l.id),
    l.name,
    shortClass(l.className) + (MODE_DEPENDENT_CLASSES.has(l.className) ? '*' : ''),
    modeLabel(modes.get(l.id)),
    outsideLabel(l),
    fmt(grads.get(l.id)?.gradNorm, 3),
    at(report, l.source),
  ]);
  return [
    'Layers: mode inside gradient calls and outside them (*: mode-dependent)',
    ...table(['id', 'layer', 'class', 'in grad', 'outside', '|grad|', 'line'], rows, [3, 24, 11, 9, 12, 7, 8], ['r', 'l', 'l', 'l', 'l', 'r', 'l']),
  ];
}

function channelSummary(values: number[]): string {
  if (values.length === 0) return '—';
  if (values.length === 1) return fmt(values[0]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${fmt(mean)} avg`;
}

function batchNormSection(report: RunReport): string[] {
  const last = lastRecordByLayer(report.gradientCalls, (r) => r.batchNorm != null);
  if (last.size === 0) return [];
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  const rows = [...last.values()].map((r) => {
    const bn = r.batchNorm as BatchNormStats;
    return [
      byId.get(r.layer)?.name ?? String(r.layer),
      String(bn.batchMean.length || bn.movingMeanBefore.length),
      `${channelSummary(bn.movingMeanBefore)} → ${channelSummary(bn.movingMeanAfter)}`,
      channelSummary(bn.batchMean),
      `${channelSummary(bn.movingVarianceBefore)} → ${channelSummary(bn.movingVarianceAfter)}`,
      channelSummary(bn.batchVariance),
      `${fmt(batchNormDrift(bn), 3)}σ`,
    ];
  });
  const momentum = [...last.values()][0].batchNorm?.momentum;
  return [
    `BatchNorm statistics, last recorded call (momentum ${momentum}, tfjs/Keras convention:`,
    `moving ← moving − (moving − batch)·(1 − momentum))`,
    ...table(['layer', 'ch', 'moving mean', 'batch mean', 'moving var', 'batch var', 'drift'], rows,
      [15, 3, 15, 10, 15, 10, 6], ['l', 'r', 'l', 'r', 'l', 'r', 'r']),
  ];
}

function outputSection(report: RunReport): string[] {
  const last = lastRecordByLayer(report.gradientCalls, (r) => r.output != null);
  if (last.size === 0) return [];
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  const rows = [...last.values()].map((r) => {
    const o = r.output!;
    return [byId.get(r.layer)?.name ?? String(r.layer), r.mode, fmt(o.mean), fmt(o.std), fmt(o.min), fmt(o.max), `${o.nanCount}/${o.infCount}`];
  });
  return [
    'Layer outputs inside the last probed gradient call',
    ...table(['layer', 'mode', 'mean', 'std', 'min', 'max', 'NaN/Inf'], rows, [24, 9, 9, 8, 8, 8, 7], ['l', 'l', 'r', 'r', 'r', 'r', 'r']),
  ];
}

function lossSection(report: RunReport): string[] {
  const calls = report.gradientCalls.filter((c) => c.probed);
  if (calls.length === 0) return [];
  const shown = calls.length <= MAX_LOSS_ROWS ? calls : [...calls.slice(0, MAX_LOSS_ROWS / 2), null, ...calls.slice(-MAX_LOSS_ROWS / 2)];
  const rows = shown.map((c) => c == null
    ? ['…', '', '', '', '', '', '']
    : [String(c.index), c.api, at(report, c.source),
      fmt(c.lossBefore, 6), fmt(c.lossDuring, 6), fmt(c.lossAfter, 6), fmt(c.lossAfterStep, 6)]);
  const notes = calls.filter((c) => c.probeError).slice(0, 3).map((c) => `  call ${c.index}: ${c.probeError}`);
  return [
    'Loss per probed gradient call (before, after: inference; during: the call)',
    ...table(['#', 'api', 'at', 'before', 'during', 'after', 'after step'], rows, [5, 18, 10, 10, 10, 10, 10], ['r', 'l', 'l', 'r', 'r', 'r', 'r']),
    ...(calls.length < report.gradientCallCount
      ? [`  ${report.gradientCallCount} gradient calls in all; ${calls.length} probed and kept (--probe-every sets the interval).`]
      : []),
    ...notes,
  ];
}

function findingLines(f: Finding, byId: Map<number, LayerInfo>): string[] {
  const where = [f.layer != null ? byId.get(f.layer)?.name : null, f.source ? `${basename(f.source.file)}:${f.source.line}:${f.source.column}` : null]
    .filter(Boolean).join(' · ');
  return [fit(`${f.severity} ${f.rule}${where ? ' · ' + where : ''}`, WIDTH), ...wrap(f.message, '  '), ...wrap(`Fix: ${f.fix}`, '  ')];
}

export function formatTextReport(report: RunReport): string {
  const out: string[] = [];
  const tfjs = report.tfjs;
  out.push(fit(`TF.js Model Debugger · ${basename(report.target)} · ${report.status}${seconds(report.durationMs)}`, WIDTH));
  if (tfjs) {
    const probed = report.gradientCalls.filter((c) => c.probed).length;
    const fallbacks = tfjs.fallbackKernels?.length ? `; cpu kernels for ${tfjs.fallbackKernels.join(', ')}` : '';
    out.push(...wrap(`tfjs ${tfjs.version} (${tfjs.source === 'workspace' ? "the project's own copy" : 'bundled'}, backend ${tfjs.backend}${fallbacks}) · ` +
      `${report.gradientCallCount} gradient call${report.gradientCallCount === 1 ? '' : 's'}, ${probed} probed`, ''));
  }
  if (report.error) {
    out.push('');
    const { file, line, message } = report.error;
    const where = file && !message.includes(file) ? ` (${file}${line ? `:${line}` : ''})` : '';
    out.push(...wrap(`Error${where}: ${message}`, ''));
    const frames = (report.error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !/node:internal|[\\/]dist[\\/]runner\.js/.test(l)).slice(0, 6);
    out.push(...frames);
  }
  for (const section of [layerSection(report), batchNormSection(report), outputSection(report), lossSection(report)]) {
    if (section.length) out.push('', ...section);
  }
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  if (report.findings.length) {
    out.push('', `Findings (${report.findings.length})`);
    for (const f of report.findings) out.push(...findingLines(f, byId));
  } else if (report.status === 'completed') {
    out.push('', 'No findings.');
  }
  return out.join('\n') + '\n';
}
