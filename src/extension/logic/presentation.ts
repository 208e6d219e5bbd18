// Text the editor surfaces show: hover Markdown, CodeLens titles, tree labels. Pure functions of a RunReport,
// so they are tested without VS Code. Every string that comes from the user's code or the run (layer names,
// class names, messages, paths) goes through escapeMarkdown: a layer named `[x](command:evil)` or
// `<img src=x onerror=alert(1)>` shows as text, never as a link or HTML.
import type { Finding, GradientCallRecord, LayerInfo, Mode, RunReport, RunStatus, Severity } from '../../protocol/report.ts';
import { basename, num, percent, plural } from '../../model/format.ts';
import { MODE_DEPENDENT_CLASSES, shortClass } from '../../model/layerClasses.ts';
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
  openRun: 'tfjsDebugger.openRun',
  compareRuns: 'tfjsDebugger.compareRuns',
  renameRun: 'tfjsDebugger.renameRun',
  deleteRun: 'tfjsDebugger.deleteRun',
} as const;

export const HOVER_COMMANDS: readonly string[] = [COMMANDS.showLayer, COMMANDS.runAgain];

/** How many BatchNorm channels a hover lists. */
const HOVER_CHANNELS = 4;


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

function layerHover(report: RunReport, layer: LayerInfo, runId: string): string[] {
  const out: string[] = [];
  const dependent = MODE_DEPENDENT_CLASSES.has(layer.className);
  const trains = layer.isContainer ? null : trainsOf(lastRecordOf(report, layer.id)?.record, layer);
  const trainsText = trains && trains !== '—' ? ` · trains: ${trains}` : '';
  out.push(`**${escapeMarkdown(layer.name)}** · ${escapeMarkdown(layer.className)}${dependent ? ' · behaves differently in training and inference' : ''}${trainsText}`);
  out.push('');
  if (layer.isContainer) {
    const children = report.layers.filter((l) => l.parents.includes(layer.id)).length;
    out.push(`Model with ${plural(children, 'layer')}; hover a layer's own line for its modes.`);
  } else {
    out.push('| where | mode |', '| --- | --- |');
    out.push(`| inside gradient calls | ${escapeMarkdown(modeInsideText(layerTotalsOf(report).get(layer.id)))} |`);
    out.push(`| outside (predict, evaluate, apply) | ${escapeMarkdown(modeOutsideText(layer))} |`);
  }
  const bn = lastRecordOf(report, layer.id, hasBatchNorm);
  if (bn?.record.batchNorm) {
    const s = bn.record.batchNorm;
    const channels = Math.max(s.batchMean.length, s.movingMeanBefore.length);
    out.push('', `BatchNorm statistics in gradient call #${bn.call.index} (momentum ${num(s.momentum)}, tfjs/Keras convention: ` +
      `moving ← moving − (moving − batch)·(1 − momentum)):`, '');
    out.push('| ch | moving mean | batch mean | moving variance | batch variance |', '| ---: | --- | ---: | --- | ---: |');
    for (let c = 0; c < Math.min(HOVER_CHANNELS, channels); c++) {
      out.push(`| ${c + 1} | ${num(s.movingMeanBefore[c])} → ${num(s.movingMeanAfter[c])} | ${num(s.batchMean[c])} | ` +
        `${num(s.movingVarianceBefore[c])} → ${num(s.movingVarianceAfter[c])} | ${num(s.batchVariance[c])} |`);
    }
    if (channels > HOVER_CHANNELS) out.push('', `*first ${HOVER_CHANNELS} of ${channels} channels*`);
  }
  const share = layerShare(report, layer.id);
  if (share) out.push('', `Share of the loss gap in gradient call #${share.call}: **${percent(share.share)}** (loss change ${num(share.deltaLoss)} with only this layer in training mode)`);
  for (const f of findingsForLayer(report, layer.id)) {
    out.push('', `${SEVERITY_ICON[f.severity]} **${escapeMarkdown(f.rule)}**: ${escapeMarkdown(f.summary ?? f.message)}`, '', `*Fix:* ${escapeMarkdown(f.fix)}`);
  }
  out.push('', `${commandLink('Show in TF.js Debugger', COMMANDS.showLayer, { runId, layer: layer.id } satisfies ShowLayerArgs)}`);
  return out;
}

/** The hover for a construction line: every layer built there, then a run summary and links. */
export function hoverMarkdown(report: RunReport, layers: LayerInfo[], runId: string): string {
  const sections = layers.map((l) => layerHover(report, l, runId).join('\n'));
  const status = report.status === 'running' ? 'running' : report.status;
  const footer = `*TF.js Debugger · ${escapeMarkdown(basename(report.target))} · ${status} · ${plural(report.gradientCallCount, 'gradient call')}* · ` +
    commandLink('Run again', COMMANDS.runAgain);
  return [...sections, footer].join('\n\n---\n\n');
}

// ---- CodeLens ------------------------------------------------------------------------------------------

/** E.g. `$(warning) BatchNorm · training in gradient calls · 36% of loss gap`. Plain text (CodeLens titles are not Markdown). */
export function codeLensTitle(report: RunReport, layer: LayerInfo): string {
  const parts = [shortClass(layer.className)];
  const mode = modeInside(layerTotalsOf(report).get(layer.id));
  if (mode) parts.push(`${mode} in gradient calls`);
  else if (callsOutside(layer) > 0) parts.push(`${modeOutsideText(layer)} outside gradient calls`);
  else parts.push('not called');
  const share = layerShare(report, layer.id);
  if (share) parts.push(`${percent(share.share)} of loss gap`);
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

export function runLabel(target: string, kind: 'script' | 'probe'): string {
  return kind === 'probe' ? `${basename(target)} (probe)` : basename(target);
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
