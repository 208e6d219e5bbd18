// Loss per probed gradient call: before (inference), during (the call, training mode), after (inference,
// moving statistics updated) and after the optimizer step. The gap between during and before is shaded.
// The latest probed call's losses are shown as text above the chart.
import { html, nothing } from 'lit';
import type uPlot from 'uplot';
import type { RunReport } from '../../src/protocol/report.ts';
import { exact, loss, num, plural } from '../../src/model/format.ts';
import { droppedRange, latestProbed, lossSeries } from '../views.ts';
import { callChart, PlotController } from '../plot.ts';
import { withAlpha, type ChartTheme } from '../theme.ts';
import { PanelElement } from './base.ts';

export const LOSSES = [
  { key: 'before', field: 'lossBefore', label: 'before', help: 'before the call, inference mode' },
  { key: 'during', field: 'lossDuring', label: 'during', help: 'what the gradient call computed (training mode)' },
  { key: 'after', field: 'lossAfter', label: 'after', help: 'after the call, inference mode: weights unchanged, moving statistics updated' },
  { key: 'after-step', field: 'lossAfterStep', label: 'after step', help: 'after the optimizer applied the gradients, inference mode' },
] as const;

const CHART_HEIGHT = 220;

export function lossOptions(t: ChartTheme, size: { width: number; height: number }): uPlot.Options {
  const value = (_u: uPlot, v: number | null) => (v == null ? '—' : loss(v));
  const { axis, scales, xAxis, callSeries, yValues } = callChart(t, 0.01);
  const gap = withAlpha(t.orange, 0.18);
  // Distinct markers, so equal losses stay visible on top of each other: filled dots for before and during,
  // rings for after and after step.
  const line = (label: string, stroke: string, marker: { size: number; hollow: boolean }, dash?: number[]): uPlot.Series => ({
    label, stroke, width: 2, dash, value, spanGaps: false,
    points: { show: (u: uPlot) => u.data[0].length <= 60, size: marker.size, width: 2, fill: marker.hollow ? 'transparent' : stroke, stroke },
  });
  return {
    ...size,
    class: 'loss-plot',
    scales,
    axes: [xAxis, { ...axis, size: 60, space: 24, values: yValues(4) }],
    series: [
      callSeries,
      line('before', t.blue, { size: 7, hollow: false }),
      line('during', t.orange, { size: 7, hollow: false }),
      line('after', t.green, { size: 11, hollow: true }, [6, 3]),
      line('after step', t.purple, { size: 15, hollow: true }, [2, 3]),
    ],
    bands: [{ series: [2, 1], fill: gap }, { series: [1, 2], fill: gap }],
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    legend: { live: true },
  };
}

export class LossChart extends PanelElement {
  static override properties = { report: { attribute: false } };
  declare report: RunReport | null;
  private series: ReturnType<typeof lossSeries> | null = null;

  constructor() {
    super();
    this.report = null;
    new PlotController(this, '#loss-chart .plot-host', () => {
      const s = this.series;
      return s && { key: 'loss', height: CHART_HEIGHT, options: lossOptions, data: { x: s.x, ys: [s.before, s.during, s.after, s.afterStep] } };
    });
  }

  protected override render() {
    const r = this.report;
    const last = r ? latestProbed(r) : null;
    const series = (this.series = r ? lossSeries(r) : null);
    const gap = last && last.lossBefore != null && last.lossDuring != null && last.lossBefore !== 0
      ? (last.lossDuring - last.lossBefore) / Math.abs(last.lossBefore) : null;
    return html`
      <section id="losses" aria-label="Loss per probed gradient call">
        <h2>Loss per probed gradient call</h2>
        ${last ? html`
          <div id="loss-summary" class="loss-summary" aria-label=${`Losses of gradient call ${last.index}`}>
            <span class="loss-call">Call #${last.index} · ${last.api} · ${this.sourceLink(last.source)}</span>
            ${LOSSES.map((l) => html`
              <span class="loss-item loss-${l.key}" title=${l.help}>
                <span class="swatch" aria-hidden="true"></span><span class="loss-label">${l.label}</span>
                <span class="loss-value" data-loss=${l.key} title=${exact(last[l.field])}>${loss(last[l.field])}</span>
              </span>`)}
            ${gap != null ? html`<span class="loss-gap" title="(during − before) / |before|">gap ${gap > 0 ? '+' : ''}${num(gap * 100, 3)}%</span>` : nothing}
          </div>` : nothing}
        ${r && droppedRange(r) ? html`<p class="muted history-note">Calls ${droppedRange(r)![0]}–${droppedRange(r)![1]} are not kept (history limit ${r.options.historySize}).</p>` : nothing}
        ${last?.probeError ? html`<p class="muted">Probe of call #${last.index} failed: ${last.probeError}</p>` : nothing}
        ${series && series.x.length
          ? html`<div id="loss-chart" class="chart" role="img"
              aria-label=${`Loss before, during, after and after the step over ${plural(series.x.length, 'probed gradient call')}`}>
              <div class="plot-host"></div></div>`
          : html`<div id="loss-chart" class="chart chart-empty" role="img" aria-label="No probed gradient calls yet">
              <p class="muted">${r?.status === 'running' ? 'Waiting for the first probed gradient call…' : 'No probed gradient calls.'}</p></div>`}
      </section>`;
  }
}
customElements.define('tfd-loss-chart', LossChart);
