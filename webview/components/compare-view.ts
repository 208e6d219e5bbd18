// Two runs side by side ("before the fix / after the fix"): for each, its name, time and outcome, the gap between
// the loss during and before its latest probed gradient call, its loss chart, and its findings in one line each.
// The host sends both sides (src/extension/logic/panelFeed.ts compareSide); Close goes back to the run.
import { html, nothing } from 'lit';
import type { Finding } from '../../src/protocol/report.ts';
import type { CompareSide, RunComparison } from '../../src/protocol/webviewMessages.ts';
import { basename, duration, loss, num, plural } from '../../src/model/format.ts';
import { PlotController } from '../plot.ts';
import { emit, PanelElement } from './base.ts';
import { lossOptions } from './loss-chart.ts';

const CHART_HEIGHT = 180;
const PHASE_TEXT: Record<string, string> = {
  running: 'running', stopping: 'stopping…', completed: 'completed', failed: 'failed', 'timed-out': 'timed out', cancelled: 'stopped',
};

/** The latest probed call's losses before and during it, and their relative gap. */
export function latestGap(side: CompareSide): { call: number; before: number; during: number; gap: number | null } | null {
  const s = side.series;
  for (let i = s.x.length - 1; i >= 0; i--) {
    const before = s.before[i];
    const during = s.during[i];
    if (before != null && during != null) return { call: s.x[i], before, during, gap: before !== 0 ? (during - before) / Math.abs(before) : null };
  }
  return null;
}

function pct(x: number | null): string {
  return x == null ? '—' : `${x > 0 ? '+' : ''}${num(x * 100, 3)}%`;
}

export class CompareView extends PanelElement {
  static override properties = { comparison: { attribute: false } };
  declare comparison: RunComparison | null;

  constructor() {
    super();
    this.comparison = null;
    for (const side of ['before', 'after'] as const) {
      new PlotController(this, `#compare-${side} .plot-host`, () => {
        const s = this.comparison?.[side]?.series;
        return s && s.x.length ? { key: `compare-${side}`, height: CHART_HEIGHT, options: lossOptions, data: { x: s.x, ys: [s.before, s.during, s.after, s.afterStep] } } : null;
      });
    }
  }

  private finding(f: Finding, names: Record<string, string>) {
    const layer = f.layer != null ? names[String(f.layer)] : undefined;
    return html`<li class="compare-finding severity-${f.severity}" data-rule=${f.rule}>
      <code class="rule">${f.rule}</code>${layer ? html` <strong>${layer}</strong>` : nothing}
      <span class="compare-summary">${f.summary ?? f.message}</span></li>`;
  }

  private side(key: 'before' | 'after', s: CompareSide) {
    const gap = latestGap(s);
    const label = key === 'before' ? 'Before' : 'After';
    return html`
      <section id=${`compare-${key}`} class="compare-side" aria-label=${`${label}: ${s.title}`} data-run-id=${s.run.id} data-phase=${s.run.phase}>
        <h3><span class="compare-which">${label}</span> <span class="compare-title">${s.title}</span></h3>
        <p class="muted compare-meta" title=${s.target}>${basename(s.target)} · ${PHASE_TEXT[s.run.phase] ?? s.run.phase} ·
          ${plural(s.gradientCallCount, 'gradient call')}${s.durationMs != null ? html` · ${duration(s.durationMs)}` : nothing}</p>
        <p class="compare-gap" data-gap=${gap?.gap ?? ''}>${gap
          ? html`Call #${gap.call}: before ${loss(gap.before)}, during ${loss(gap.during)}, <strong>gap ${pct(gap.gap)}</strong>`
          : html`<span class="muted">No probed gradient call.</span>`}</p>
        ${s.series.x.length ? html`<div class="chart" role="img" aria-label=${`Loss over ${plural(s.series.x.length, 'probed gradient call')}`}><div class="plot-host"></div></div>` : nothing}
        <h4>${plural(s.findings.length, 'finding')}</h4>
        ${s.findings.length ? html`<ul class="compare-findings">${s.findings.map((f) => this.finding(f, s.layerNames))}</ul>` : html`<p class="muted compare-findings-none">No findings.</p>`}
      </section>`;
  }

  protected override render() {
    const c = this.comparison;
    if (!c) return nothing;
    const a = latestGap(c.before)?.gap;
    const b = latestGap(c.after)?.gap;
    const verdict = a != null && b != null
      ? Math.abs(b) < Math.abs(a) ? `The gap shrank from ${pct(a)} to ${pct(b)}.` : Math.abs(b) > Math.abs(a) ? `The gap grew from ${pct(a)} to ${pct(b)}.` : `The gap is unchanged (${pct(a)}).`
      : '';
    const findings = `${plural(c.before.findings.length, 'finding')} → ${plural(c.after.findings.length, 'finding')}`;
    return html`
      <section id="compare" aria-label="Two runs compared">
        <div class="compare-head">
          <h2>Compare runs</h2>
          <p id="compare-verdict" role="status">${verdict} ${findings}.</p>
          ${this.env.interactive ? html`<vscode-button id="btn-close-compare" secondary icon="close" title="Back to the run"
            @click=${(e: Event) => emit(e.currentTarget as EventTarget, { kind: 'close-compare' })}>Close</vscode-button>` : nothing}
        </div>
        <div class="compare-grid">${this.side('before', c.before)}${this.side('after', c.after)}</div>
      </section>`;
  }
}
customElements.define('tfd-compare-view', CompareView);
