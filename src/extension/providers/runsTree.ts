// The sidebar: runs (every run kept, newest first; a click opens it in the panel) → Findings, Layers, and the
// gradient calls grouped (calls with findings, probed calls, the rest folded) → layers. Item ids are stable paths
// (`<runId>`, `<runId>/findings/<i>`, `<runId>/layers/<layerId>`, `<runId>/group/<findings|probed|other>`,
// `<runId>/calls/<index>`, `<runId>/calls/<index>/<layerId>`), so end-to-end tests and reveal() can address them.
// A run's row reads the store's own counts and phase, refreshed on the store's beat (as the status bar is), so the
// two agree.
import * as vscode from 'vscode';
import type { Finding, GradientCallRecord, LayerInfo, Mode, RunReport, Severity, SourceLocation } from '../../protocol/report.ts';
import type { RunPhase } from '../../protocol/webviewMessages.ts';
import { num, plural } from '../../model/format.ts';
import { layerTotalsOf } from '../../model/layerTotals.ts';
import { modeInside, modeOutsideText } from '../../model/views/layerModes.ts';
import { callLabel, COMMANDS, escapeMarkdown, layerDescription, lossTriple } from '../logic/presentation.ts';
import { runDetail, runName, runTitle } from '../logic/runLabels.ts';
import type { RunEntry, RunStore } from '../logic/runStore.ts';

/** The groups a run's gradient calls are shown in. */
export type CallGroup = 'findings' | 'probed' | 'other';
const GROUP_TEXT: Record<CallGroup, string> = { findings: 'Calls with findings', probed: 'Probed calls', other: 'Other calls' };

/** Which group a call goes in: with findings, else probed, else the rest. */
export function callGroup(call: GradientCallRecord, withFindings: ReadonlySet<number>): CallGroup {
  return withFindings.has(call.index) ? 'findings' : call.probed ? 'probed' : 'other';
}

function callsWithFindings(report: RunReport): Set<number> {
  return new Set(report.findings.map((f) => f.gradientCall).filter((c): c is number => c != null));
}

export type RunsNode =
  | { kind: 'run'; id: string; runId: string }
  | { kind: 'findings'; id: string; runId: string }
  | { kind: 'finding'; id: string; runId: string; index: number; layer: number | null; source: SourceLocation | null }
  | { kind: 'layers'; id: string; runId: string }
  | { kind: 'layer'; id: string; runId: string; layer: number; call: number | null; source: SourceLocation | null }
  | { kind: 'group'; id: string; runId: string; group: CallGroup }
  | { kind: 'call'; id: string; runId: string; call: number; source: SourceLocation | null }
  | { kind: 'dropped'; id: string; runId: string };

const MODE_ICON: Record<Mode, string> = { training: 'flame', inference: 'eye', mixed: 'arrow-swap' };
const SEVERITY_ICON: Record<Severity, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
};
const STATUS_ICON: Record<RunPhase, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin'),
  stopping: new vscode.ThemeIcon('loading~spin'),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  'timed-out': new vscode.ThemeIcon('watch', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

export function layerNodeId(runId: string, layer: number): string {
  return `${runId}/layers/${layer}`;
}

/** A run's Findings or Layers node. */
function groupItem(node: Extract<RunsNode, { kind: 'findings' | 'layers' }>, label: string, state: vscode.TreeItemCollapsibleState, icon: string): vscode.TreeItem {
  const item = new vscode.TreeItem(label, state);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(icon);
  item.contextValue = node.kind;
  return item;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** The run nodes handed out, so that a run's own row can be refreshed. */
  private runNodes = new Map<string, RunsNode>();

  constructor(private readonly store: RunStore) {
    this.subscription = store.onDidChange((c) => {
      // A run's progress and phase: its own row (and what is open under it), on the store's beat.
      const node = (c.type === 'progress' || c.type === 'status') ? this.runNodes.get(c.run.id) : undefined;
      this.changed.fire(node);
    });
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      const nodes = new Map<string, RunsNode>();
      for (const r of this.store.runs()) nodes.set(r.id, this.runNodes.get(r.id) ?? { kind: 'run', id: r.id, runId: r.id });
      this.runNodes = nodes;
      return [...nodes.values()];
    }
    const run = this.store.get(node.runId);
    if (!run) return [];
    const report = run.report();
    const id = node.runId;
    switch (node.kind) {
      case 'run': {
        const out: RunsNode[] = [];
        if (report.findings.length) out.push({ kind: 'findings', id: `${id}/findings`, runId: id });
        if (report.layers.length) out.push({ kind: 'layers', id: `${id}/layers`, runId: id });
        const withFindings = callsWithFindings(report);
        const groups = new Set(report.gradientCalls.map((c) => callGroup(c, withFindings)));
        for (const group of ['findings', 'probed', 'other'] as const) if (groups.has(group)) out.push({ kind: 'group', id: `${id}/group/${group}`, runId: id, group });
        if (report.gradientCallsDropped > 0) out.push({ kind: 'dropped', id: `${id}/dropped`, runId: id });
        return out;
      }
      case 'group': {
        const withFindings = callsWithFindings(report);
        return report.gradientCalls.filter((c) => callGroup(c, withFindings) === node.group)
          .map((c) => ({ kind: 'call', id: `${id}/calls/${c.index}`, runId: id, call: c.index, source: c.source }));
      }
      case 'findings':
        return report.findings.map((f, index) => ({ kind: 'finding', id: `${id}/findings/${index}`, runId: id, index, layer: f.layer, source: f.source }));
      case 'layers':
        return report.layers.map((l) => ({ kind: 'layer', id: layerNodeId(id, l.id), runId: id, layer: l.id, call: null, source: l.source }));
      case 'call': {
        const call = report.gradientCalls.find((c) => c.index === node.call);
        const byId = new Map(report.layers.map((l) => [l.id, l]));
        return (call?.layers ?? []).map((r) => ({
          kind: 'layer', id: `${id}/calls/${node.call}/${r.layer}`, runId: id, layer: r.layer, call: node.call, source: byId.get(r.layer)?.source ?? null,
        }));
      }
      default:
        return [];
    }
  }

  getParent(node: RunsNode): RunsNode | undefined {
    const id = node.runId;
    switch (node.kind) {
      case 'run':
        return undefined;
      case 'call': {
        const report = this.store.get(id)?.report();
        const call = report?.gradientCalls.find((c) => c.index === node.call);
        const group = call && report ? callGroup(call, callsWithFindings(report)) : 'other';
        return { kind: 'group', id: `${id}/group/${group}`, runId: id, group };
      }
      case 'finding':
        return { kind: 'findings', id: `${id}/findings`, runId: id };
      case 'layer':
        return node.call == null ? { kind: 'layers', id: `${id}/layers`, runId: id } : { kind: 'call', id: `${id}/calls/${node.call}`, runId: id, call: node.call, source: null };
      default:
        return this.runNodes.get(id) ?? { kind: 'run', id, runId: id };
    }
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const run = this.store.get(node.runId);
    if (!run) return new vscode.TreeItem('(gone)');
    // A run's own row reads its entry only (no report: for an older run that would read it from storage).
    if (node.kind === 'run') return this.runItem(run);
    const report = run.report();
    switch (node.kind) {
      case 'findings':
        return groupItem(node, `Findings (${report.findings.length})`, vscode.TreeItemCollapsibleState.Expanded, 'lightbulb');
      case 'finding':
        return this.findingItem(node, report.findings[node.index], report);
      case 'layers':
        return groupItem(node, `Layers (${report.layers.length})`, vscode.TreeItemCollapsibleState.Collapsed, 'layers');
      case 'layer':
        return this.layerItem(node, report);
      case 'group': {
        const withFindings = callsWithFindings(report);
        const n = report.gradientCalls.filter((c) => callGroup(c, withFindings) === node.group).length;
        const item = new vscode.TreeItem(`${GROUP_TEXT[node.group]} (${n})`,
          node.group === 'other' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.group === 'findings' ? 'lightbulb' : node.group === 'probed' ? 'beaker' : 'fold');
        item.contextValue = 'group';
        item.accessibilityInformation = { label: `${GROUP_TEXT[node.group]}: ${plural(n, 'gradient call')}` };
        return item;
      }
      case 'call':
        return this.callItem(node, report.gradientCalls.find((c) => c.index === node.call));
      case 'dropped': {
        const item = new vscode.TreeItem(`${report.gradientCallsDropped} gradient calls not kept`);
        item.id = node.id;
        item.description = `history size ${report.options.historySize}`;
        item.tooltip = 'The report keeps the first and the most recent gradient calls in full (tfjsDebugger.historySize).';
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        return item;
      }
    }
  }

  private runItem(run: RunEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(runName(run),
      run === this.store.shown ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = run.id;
    item.description = runDetail(run);
    item.iconPath = STATUS_ICON[run.phase];
    item.resourceUri = vscode.Uri.file(run.request.target);
    const error = run.loaded && !run.running ? run.report().error?.message ?? '' : '';
    item.tooltip = new vscode.MarkdownString(`${escapeMarkdown(runTitle(run))}\n\n${escapeMarkdown(run.request.target)}${error ? `\n\n${escapeMarkdown(error)}` : ''}`);
    item.accessibilityInformation = { label: `Run ${runTitle(run)}${run === this.store.shown ? ', shown in the panel' : ''}` };
    item.contextValue = run.running ? 'run.running' : 'run.done';
    item.command = { title: 'Open in Panel', command: COMMANDS.openRun, arguments: [run.id] };
    return item;
  }

  private findingItem(node: Extract<RunsNode, { kind: 'finding' }>, f: Finding | undefined, report: RunReport): vscode.TreeItem {
    if (!f) return new vscode.TreeItem('(gone)');
    const layer = f.layer == null ? undefined : report.layers.find((l) => l.id === f.layer);
    const item = new vscode.TreeItem(layer ? `${f.rule} · ${layer.name}` : f.rule);
    item.id = node.id;
    item.description = f.severity;
    item.iconPath = SEVERITY_ICON[f.severity];
    const tip = new vscode.MarkdownString(`**${escapeMarkdown(f.rule)}** (${f.severity})\n\n${escapeMarkdown(f.message)}\n\n*Fix:* ${escapeMarkdown(f.fix)}`);
    item.tooltip = tip;
    item.contextValue = ['finding', f.source ? 'hasSource' : '', f.layer != null ? 'hasLayer' : ''].filter(Boolean).join('.');
    if (f.source) item.command = { title: 'Reveal Source', command: COMMANDS.revealSource, arguments: [f.source] };
    return item;
  }

  private layerItem(node: Extract<RunsNode, { kind: 'layer' }>, report: RunReport): vscode.TreeItem {
    const layer: LayerInfo | undefined = report.layers.find((l) => l.id === node.layer);
    const item = new vscode.TreeItem(layer?.name ?? `layer ${node.layer}`);
    item.id = node.id;
    let mode: Mode | null;
    if (node.call != null) {
      const call = report.gradientCalls.find((c) => c.index === node.call);
      const r = call?.layers.find((l) => l.layer === node.layer);
      mode = r?.mode ?? null;
      item.tooltip = r ? `${r.mode} in gradient call #${node.call}${r.calls > 1 ? ` (${r.calls} calls)` : ''} · |grad| ${num(r.gradNorm)}` +
        `${r.nonFinite ? ` · ${r.nonFinite} NaN/Inf` : ''}` : undefined;
    } else {
      mode = layer ? modeInside(layerTotalsOf(report).get(layer.id)) : null;
      if (layer) item.tooltip = `${layer.className} · inside gradient calls: ${mode ?? 'not called'} · outside: ${modeOutsideText(layer)}`;
    }
    item.description = layerDescription(mode, layer?.className ?? '?');
    const name = layer?.name ?? `layer ${node.layer}`;
    item.accessibilityInformation = {
      label: node.call != null
        ? `Layer ${name}, ${layer?.className ?? ''}, ${mode ?? 'not called'} in gradient call ${node.call}`
        : `Layer ${name}, ${layer?.className ?? ''}, ${mode ?? 'not called'} inside gradient calls`,
    };
    item.iconPath = layer?.isContainer ? new vscode.ThemeIcon('symbol-namespace') : new vscode.ThemeIcon(mode ? MODE_ICON[mode] : 'circle-outline');
    item.contextValue = `layer${node.source ? '.hasSource' : ''}`;
    if (node.source) item.command = { title: 'Reveal Source', command: COMMANDS.revealSource, arguments: [node.source] };
    return item;
  }

  private callItem(node: Extract<RunsNode, { kind: 'call' }>, call: GradientCallRecord | undefined): vscode.TreeItem {
    if (!call) return new vscode.TreeItem('(gone)');
    const item = new vscode.TreeItem(callLabel(call), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.description = lossTriple(call);
    item.tooltip = `Loss before (inference) → during the call → after (inference)${call.lossAfterStep != null ? `; after the optimizer step ${num(call.lossAfterStep)}` : ''}` +
      `${call.probed ? '' : '. Not probed: only the loss during the call was recorded.'}${call.probeError ? `\nProbe: ${call.probeError}` : ''}`;
    item.iconPath = new vscode.ThemeIcon('symbol-event');
    item.accessibilityInformation = {
      label: `Gradient call ${call.index}, ${call.api}, ${call.probed ? `loss before ${num(call.lossBefore)}, during ${num(call.lossDuring)}, after ${num(call.lossAfter)}` : `loss during ${num(call.lossDuring)}, not probed`}`,
    };
    item.contextValue = `call${call.source ? '.hasSource' : ''}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
