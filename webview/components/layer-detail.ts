// The selected layer: where it was built, its modes, gradient norms, output statistics and, for
// BatchNormalization, per-channel moving statistics before and after the latest call against the batch's,
// and the moving mean per channel over the recorded gradient calls.
import { html, nothing } from 'lit';
import type uPlot from 'uplot';
import type { BatchNormStats, RunReport } from '../../src/protocol/report.ts';
import { exact, num, plural } from '../../src/model/format.ts';
import { gradNormHistory, latestRecord, movingMeanHistory, type LayerRow } from '../views.ts';
import { callChart, PlotController, type SeriesData } from '../plot.ts';
import { withAlpha, type ChartTheme } from '../theme.ts';
import { modeBadge, numberCell, PanelElement } from './base.ts';

const MAX_CHANNEL_ROWS = 64;
const MAX_HISTORY_CHANNELS = 8;
const HISTORY_HEIGHT = 180;

function historyOptions(labels: string[], yLabel: string) {
  return (t: ChartTheme, size: { width: number; height: number }): uPlot.Options => {
    const palette = [t.blue, t.orange, t.green, t.purple, t.red, t.yellow, withAlpha(t.blue, 0.6), withAlpha(t.orange, 0.6)];
    const { axis, scales, xAxis, callSeries, yValues } = callChart(t, 0.1);
    return {
      ...size,
      class: 'history-plot',
      scales,
      axes: [xAxis, { ...axis, size: 60, label: yLabel, labelFont: t.font, labelSize: 18, values: yValues(3) }],
      series: [
        callSeries,
        ...labels.map((label, i) => ({
          label, stroke: palette[i % palette.length], width: 2, spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : num(v, 6)),
          points: { show: (u: uPlot) => u.data[0].length <= 60, size: 5 },
        })),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    };
  };
}

export class LayerDetail extends PanelElement {
  static override properties = { report: { attribute: false }, row: { attribute: false } };
  declare report: RunReport | null;
  declare row: LayerRow | null;
  private history: { key: string; labels: string[]; yLabel: string; data: SeriesData } | null = null;

  constructor() {
    super();
    this.report = null;
    this.row = null;
    new PlotController(this, '.plot-host', () => {
      const h = this.history;
      return h && { key: h.key, height: HISTORY_HEIGHT, options: historyOptions(h.labels, h.yLabel), data: h.data };
    });
  }

  private channelTable(bn: BatchNormStats) {
    const channels = Math.max(bn.movingMeanBefore.length, bn.batchMean.length);
    const shown = Math.min(channels, MAX_CHANNEL_ROWS);
    return html`
      <div class="table-scroll channel-scroll">
        <table class="data-table channel-table" aria-label="BatchNorm statistics per channel, latest recorded call">
          <thead><tr>
            <th scope="col" class="num">ch</th>
            <th scope="col" class="num" title="Moving mean before the call">moving mean before</th>
            <th scope="col" class="num" title="Moving mean after the call">after</th>
            <th scope="col" class="num" title="Mean of the batch, per channel">batch mean</th>
            <th scope="col" class="num" title="Moving variance before the call">moving var before</th>
            <th scope="col" class="num" title="Moving variance after the call">after</th>
            <th scope="col" class="num" title="Variance of the batch, per channel">batch var</th>
            <th scope="col" class="num" title="|batch mean − moving mean before| / √(moving variance before + ε)">drift</th>
          </tr></thead>
          <tbody>${Array.from({ length: shown }, (_, c) => {
            const drift = Math.abs(bn.batchMean[c] - bn.movingMeanBefore[c]) / Math.sqrt(bn.movingVarianceBefore[c] + bn.epsilon);
            return html`<tr>
              <td class="num">${c + 1}</td>
              <td class="num">${numberCell(bn.movingMeanBefore[c])}</td><td class="num">${numberCell(bn.movingMeanAfter[c])}</td>
              <td class="num">${numberCell(bn.batchMean[c])}</td>
              <td class="num">${numberCell(bn.movingVarianceBefore[c])}</td><td class="num">${numberCell(bn.movingVarianceAfter[c])}</td>
              <td class="num">${numberCell(bn.batchVariance[c])}</td>
              <td class="num"><span title=${exact(drift)}>${num(drift, 3)}σ</span></td>
            </tr>`;
          })}</tbody>
        </table>
      </div>
      ${channels > shown ? html`<p class="muted">First ${shown} of ${channels} channels.</p>` : nothing}`;
  }

  protected override render() {
    const r = this.report;
    const row = this.row;
    if (!r || !row) {
      this.history = null;
      return html`<section id="layer-detail" aria-label="Layer detail" class="detail-empty">
        <h2>Layer detail</h2><p class="muted">Select a layer in the table to see its statistics.</p></section>`;
    }
    const latest = latestRecord(r, row.id);
    const bn = row.batchNorm;
    if (bn) {
      const h = movingMeanHistory(r, row.id, MAX_HISTORY_CHANNELS);
      this.history = h ? {
        key: `bn:${row.id}:${h.movingMean.length}`,
        labels: h.movingMean.map((_, c) => `ch ${c + 1} moving mean`),
        yLabel: 'moving mean',
        data: { x: h.x, ys: h.movingMean },
      } : null;
    } else {
      const g = gradNormHistory(r, row.id);
      this.history = g.y.some((v) => v != null) ? { key: `grad:${row.id}`, labels: ['|grad|'], yLabel: 'gradient norm', data: { x: g.x, ys: [g.y] } } : null;
    }
    const o = row.output;
    return html`
      <section id="layer-detail" aria-label=${`Layer detail: ${row.name}`} data-layer-id=${String(row.id)}>
        <h2><span class="detail-name">${row.name}</span> <span class="muted">${row.className}</span> ${this.sourceLink(row.info.source)}</h2>
        <div class="detail-grid"><div class="detail-main">
        <dl class="facts">
          ${row.parents.length ? html`<div><dt>Called through</dt><dd>${row.parents.join(' › ')}</dd></div>` : nothing}
          <div><dt>In gradient calls</dt><dd>${modeBadge(row.modeInside)} <span class="muted">${plural(row.callsInside, 'recorded call')}</span></dd></div>
          <div><dt>Outside</dt><dd>${modeBadge(row.modeOutside, row.callsOutside || undefined)}
            <span class="muted">training ×${row.info.outsideCalls.training}, inference ×${row.info.outsideCalls.inference}</span></dd></div>
          <div><dt>Trainable</dt><dd>${row.info.trainable ? 'yes' : 'no'}</dd></div>
          ${o ? html`<div><dt>Output</dt><dd>mean ${numberCell(o.mean)} · std ${numberCell(o.std)} · min ${numberCell(o.min)} · max ${numberCell(o.max)} · NaN ${o.nanCount} · Inf ${o.infCount}</dd></div>` : nothing}
          ${row.share != null ? html`<div><dt>Share of the loss gap</dt><dd>${Math.round(row.share * 1000) / 10}%</dd></div>` : nothing}
          ${latest ? html`<div><dt>Gradient norm</dt><dd>${numberCell(latest.record.gradNorm)}${latest.weights.length ? html` <span class="muted">(${latest.weights.map((w, i) => html`${i ? ', ' : ''}${w.name.split('/').pop()} ${num(w.norm, 3)}`)})</span>` : nothing}
            <span class="muted">call #${latest.call.index}</span></dd></div>` : nothing}
        </dl>
        ${bn ? html`
          <h3>BatchNorm statistics, latest recorded call</h3>
          <p class="muted convention">momentum ${bn.momentum}, ε ${bn.epsilon}; tfjs/Keras convention: moving ← moving − (moving − batch)·(1 − momentum), so the moving statistics move ${num((1 - bn.momentum) * 100, 3)}% of the way to the batch's per training-mode call.</p>
          ${this.channelTable(bn)}` : nothing}
        </div><div class="detail-side">
        ${this.history ? html`
          <h3>${bn ? `Moving mean per channel over the recorded gradient calls${bn.movingMeanBefore.length > MAX_HISTORY_CHANNELS ? ` (first ${MAX_HISTORY_CHANNELS} channels)` : ''}` : 'Gradient norm over the recorded gradient calls'}</h3>
          <div class="chart history-chart" role="img" aria-label=${bn ? 'Moving mean per channel over gradient calls' : 'Gradient norm over gradient calls'}><div class="plot-host"></div></div>` : nothing}
        </div></div>
      </section>`;
  }
}
customElements.define('tfd-layer-detail', LayerDetail);
