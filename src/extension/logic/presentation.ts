// Text the editor surfaces show: hover Markdown (one short block per layer: modes, the worst finding's point,
// the numbers that matter, links; the Problems text is not repeated), CodeLens titles, tree labels. Pure functions of a RunReport,
// so they are tested without VS Code. Every string that comes from the user's code or the run (layer names,
// class names, messages, paths) goes through escapeMarkdown: a layer named `[x](command:evil)` or
// `<img src=x onerror=alert(1)>` shows as text, never as a link or HTML.
import type { Finding, GradientCallRecord, LayerInfo, Mode, RunReport, RunStatus, Severity } from '../../protocol/report.ts';
import { basename, loss, num, percent, plural } from '../../model/format.ts';
import { MODE_DEPENDENT_CLASSES, shortClass } from '../../model/layerClasses.ts';
import { findingPoint, shareText } from './findingText.ts';
import { layerTotalsOf } from '../../model/layerTotals.ts';
import { hasBatchNorm, lastRecordOf } from '../../model/views/layerRecords.ts';
import { callsOutside, modeInside, modeInsideText, modeOutsideText } from '../../model/views/layerModes.ts';
import { layerShare } from '../../model/views/shares.ts';
import { trainsOf } from '../../model/views/trainability.ts';

/** The only commands a hover's links may run (MarkdownString.isTrusted.enabledCommands). */
export const COMMANDS = {
  debugScript: 'tfjsDebugger.debugScript',
  probeModel: 'tfjsDebugger.probeModel',
  runAgain: 'tfjsDebugger.runAgain',
  stop: 'tfjsDebugger.stop',
  showPanel: 'tfjsDebugger.showPanel',
  exportReport: 'tfjsDebugger.exportReport',
  clearResults: 'tfjsDebugger.clearResults',
  openExample: 'tfjsDebugger.openExample',
  showLayer: 'tfjsDebugger.showLayer',
  revealSource: 'tfjsDebugger.revealSource',
  rerunAndCompare: 'tfjsDebugger.rerunAndCompare',
  showOutput: 'tfjsDebugger.showOutput',
  debugPage: 'tfjsDebugger.debugPage',
  openRun: 'tfjsDebugger.openRun',
  compareRuns: 'tfjsDebugger.compareRuns',
  renameRun: 'tfjsDebugger.renameRun',
  deleteRun: 'tfjsDebugger.deleteRun',
} as const;

export const HOVER_COMMANDS: readonly string[] = [COMMANDS.showLayer, COMMANDS.runAgain];


/** Markdown-escapes text: punctuation backslash-escaped, HTML characters as entities, no line breaks. */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~$:]/g, '\\$&');
}

/** A Markdown link that runs one of this extension's commands with JSON arguments. */
export function commandLink(label: string, command: string, args?: unknown): string {
  const query = args === undefined ? '' : `?${encodeURIComponent(JSON.stringify([args]))}`;
  return `[${escapeMarkdown(label)}](command:${command}${query})`;
}

export interface ShowLayerArgs {
  runId: string;
  layer: number;
}

// ---- hover ---------------------------------------------------------------------------------------------

const SEVERITY_ICON: Record<Severity, string> = { error: '$(error)', warning: '$(warning)', info: '$(info)' };

/** The findings about a layer: its own, and the grouped ones that cover it. */
export function findingsForLayer(report: RunReport, layerId: number): Finding[] {
  return report.findings.filter((f) => f.layer === layerId || f.layers?.includes(layerId));
}

/** A finding's place in the severity order (errors first). */
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** "inside gradient calls training (the one recorded call) · outside inference ×2 (predict, evaluate)". */
function modesLine(report: RunReport, layer: LayerInfo): string {
  const inside = modeInsideText(layerTotalsOf(report).get(layer.id));
  const outside = modeOutsideText(layer);
  return `Mode: ${escapeMarkdown(inside)} inside gradient calls · ${escapeMarkdown(outside)} outside (predict, evaluate, apply)`;
}

/** The numbers that matter for a layer: the gap of the call it is judged on, its share, BatchNorm's momentum
 *  and how far its moving statistics are from the batch's. */
function numbersLine(report: RunReport, layer: LayerInfo): string | null {
  const parts: string[] = [];
  const share = layerShare(report, layer.id);
  const shareCall = share ? report.gradientCalls.find((c) => c.index === share.call) : undefined;
  if (shareCall && shareCall.lossBefore != null && shareCall.lossDuring != null) {
    parts.push(`call #${shareCall.index}: loss ${loss(shareCall.lossDuring)} inside, ${loss(shareCall.lossBefore)} in inference`);
  }
  if (share) parts.push(`this layer alone: ${shareText(share.share)}`);
  const bn = lastRecordOf(report, layer.id, hasBatchNorm)?.record.batchNorm;
  if (bn) {
    parts.push(`momentum ${num(bn.momentum)} (tfjs/Keras: moving keeps ${percent(bn.momentum)} per step)`);
    if (bn.movingMeanBefore.length && bn.batchMean.length) {
      parts.push(`channel 1 moving mean ${num(bn.movingMeanBefore[0])} → ${num(bn.movingMeanAfter[0])}, batch mean ${num(bn.batchMean[0])}`);
    }
  }
  return parts.length ? escapeMarkdown(parts.join(' · ')) : null;
}

/** One short block per layer: what it is, its modes, the worst finding's point, the numbers, links. */
function layerHover(report: RunReport, layer: LayerInfo, runId: string): string[] {
  const dependent = MODE_DEPENDENT_CLASSES.has(layer.className);
  const trains = layer.isContainer ? null : trainsOf(lastRecordOf(report, layer.id)?.record, layer);
  const head = [`**${escapeMarkdown(layer.name)}** · ${escapeMarkdown(shortClass(layer.className))}`];
  if (dependent) head.push('behaves differently in training and inference');
  if (trains && trains !== '—') head.push(`trains: ${escapeMarkdown(trains)}`);
  const out = [head.join(' · ')];
  if (layer.isContainer) {
    const children = report.layers.filter((l) => l.parents.includes(layer.id)).length;
    out.push(`Model with ${plural(children, 'layer')}; hover a layer's own line for its modes.`);
  } else {
    out.push(modesLine(report, layer));
  }
  const findings = findingsForLayer(report, layer.id).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  if (findings.length) {
    const more = findings.length > 1 ? ` *(and ${plural(findings.length - 1, 'more finding')} in Problems)*` : '';
    out.push(`${SEVERITY_ICON[findings[0].severity]} ${escapeMarkdown(findingPoint(report, findings[0]))}${more}`);
  }
  const numbers = layer.isContainer ? null : numbersLine(report, layer);
  if (numbers) out.push(numbers);
  out.push(`${commandLink('Show in panel', COMMANDS.showLayer, { runId, layer: layer.id } satisfies ShowLayerArgs)}`);
  return out;
}

/** The hover for a construction line: every layer built there, then a run summary and links. */
export function hoverMarkdown(report: RunReport, layers: LayerInfo[], runId: string): string {
  const sections = layers.map((l) => layerHover(report, l, runId).join('\n\n'));
  const status = report.status === 'running' ? 'running' : report.status;
  const footer = `*TF.js Debugger · ${escapeMarkdown(basename(report.target))} · ${status} · ${plural(report.gradientCallCount, 'gradient call')}* · ` +
    commandLink('Run again', COMMANDS.runAgain);
  return [...sections, footer].join('\n\n---\n\n');
}

// ---- CodeLens ------------------------------------------------------------------------------------------

/** Whether a layer's CodeLens would say something: it behaves differently by mode, or has a finding or a share
 *  of the gap (a Dense line's "training in gradient calls" says nothing). */
export function hasCodeLens(report: RunReport, layer: LayerInfo): boolean {
  if (layer.isContainer) return false;
  return MODE_DEPENDENT_CLASSES.has(layer.className) || findingsForLayer(report, layer.id).length > 0 || layerShare(report, layer.id) != null;
}

/** E.g. `$(warning) BatchNorm · training in gradient calls · all of the loss gap`. Plain text (CodeLens titles are not Markdown). */
export function codeLensTitle(report: RunReport, layer: LayerInfo): string {
  const parts = [shortClass(layer.className)];
  const mode = modeInside(layerTotalsOf(report).get(layer.id));
  if (mode) parts.push(`${mode} in gradient calls`);
  else if (callsOutside(layer) > 0) parts.push(`${modeOutsideText(layer)} outside gradient calls`);
  else parts.push('not called');
  const share = layerShare(report, layer.id);
  if (share) parts.push(shareText(share.share));
  const worst = worstSeverity(findingsForLayer(report, layer.id));
  // CodeLens titles render $(icon) syntax; a class name cannot hold one (escape it anyway).
  const title = parts.join(' · ').replace(/\$\(/g, '$\u200b(');
  return worst ? `${SEVERITY_ICON[worst]} ${title}` : title;
}

export function worstSeverity(findings: Finding[]): Severity | null {
  for (const s of ['error', 'warning', 'info'] as const) if (findings.some((f) => f.severity === s)) return s;
  return null;
}

// ---- tree ----------------------------------------------------------------------------------------------

/** `before → during → after` losses of a gradient call; `—` where a probe did not run. */
export function lossTriple(call: GradientCallRecord): string {
  return `${num(call.lossBefore)} → ${num(call.lossDuring)} → ${num(call.lossAfter)}`;
}

export function callLabel(call: GradientCallRecord): string {
  return `#${call.index} ${call.api}`;
}

export function runLabel(target: string, kind: 'script' | 'probe' | 'page'): string {
  if (kind === 'probe') return `${basename(target)} (probe)`;
  if (kind === 'page') return `${/^https?:\/\//i.test(target) ? pageUrlLabel(target) : basename(target)} (page)`;
  return basename(target);
}

/** `localhost:5173/train` for a page's URL. */
function pageUrlLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}

const STATUS_TEXT: Record<RunStatus, string> = {
  running: 'running', completed: 'completed', failed: 'failed', 'timed-out': 'timed out', cancelled: 'stopped',
};

export function runDescription(status: RunStatus, gradientCalls: number, findings: number | null): string {
  const parts = [STATUS_TEXT[status], plural(gradientCalls, 'gradient call')];
  if (findings != null && status !== 'running') parts.push(plural(findings, 'finding'));
  return parts.join(' · ');
}

export function layerDescription(mode: Mode | null, className: string): string {
  return `${mode ?? 'not called'} · ${className}`;
}
