// A uPlot chart bound to a container: sized to it (ResizeObserver), rebuilt when the theme changes, and
// fed new data at most ~20 times a second (frame-coalesced), downsampled to min/max per pixel. PlotController
// gives a component its chart for as long as the component renders the chart's container.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import uPlot from 'uplot';
import { minMaxIndices, pick } from './downsample.ts';
import { num } from '../src/model/format.ts';
import { chartTheme, INTEGER_STEPS, onThemeChange, type ChartTheme } from './theme.ts';
import { frameThrottle } from './throttle.ts';

export type SeriesData = { x: number[]; ys: (number | null)[][] };
export type MakeOptions = (theme: ChartTheme, size: { width: number; height: number }) => uPlot.Options;

/** The parts every chart over gradient calls shares: axis style, scales, the x axis and the call series. */
export function callChart(t: ChartTheme, flatPad: number) {
  const axis = { stroke: t.foreground, font: t.font, grid: { stroke: t.lines, width: 1 }, ticks: { stroke: t.lines, width: 1 } };
  const scales: uPlot.Scales = {
    x: { time: false, range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) },
    y: { range: (_u, min, max) => {
      if (min == null || max == null) return [0, 1];
      // A flat series gets a band of flatPad of its value around it.
      const pad = (max - min) * 0.1 || Math.abs(max) * flatPad || 1;
      return [min - pad, max + pad];
    } },
  };
  const xAxis: uPlot.Axis = { ...axis, label: 'gradient call', labelFont: t.font, labelSize: 18, incrs: INTEGER_STEPS, values: (_u, splits) => splits.map((v) => String(v)) };
  const callSeries: uPlot.Series = { label: 'call', value: (_u, v) => (v != null && Number.isInteger(v) ? `#${v}` : '—') };
  const yValues = (digits: number) => (_u: uPlot, splits: number[]) => splits.map((v) => num(v, digits));
  return { axis, scales, xAxis, callSeries, yValues };
}

class Plot {
  private plot: uPlot | null = null;
  private data: SeriesData = { x: [], ys: [] };
  private readonly resize: ResizeObserver;
  private readonly stopTheme: () => void;
  private readonly redraw = frameThrottle(() => this.draw());
  private width = 0;

  constructor(private readonly container: HTMLElement, private readonly makeOptions: MakeOptions, private readonly height: number) {
    this.resize = new ResizeObserver(() => {
      const w = Math.floor(this.container.clientWidth);
      if (w > 0 && w !== this.width) {
        this.width = w;
        if (this.plot) this.plot.setSize({ width: w, height: this.height });
        this.redraw.schedule();
      }
    });
    this.resize.observe(container);
    this.stopTheme = onThemeChange(() => this.rebuild());
  }

  setData(data: SeriesData): void {
    this.data = data;
    this.redraw.schedule();
  }

  destroy(): void {
    this.redraw.cancel();
    this.resize.disconnect();
    this.stopTheme();
    this.plot?.destroy();
    this.plot = null;
  }

  /** The drawn data: every point, or min/max per pixel bucket for long series. */
  private drawable(): uPlot.AlignedData {
    const { x, ys } = this.data;
    const buckets = Math.max(16, this.width);
    if (x.length <= buckets * 2) return [x, ...ys];
    const idx = minMaxIndices(x, ys, buckets);
    return [pick(x, idx), ...ys.map((s) => pick(s, idx))];
  }

  private rebuild(): void {
    this.plot?.destroy();
    this.plot = null;
    this.redraw.schedule();
  }

  private draw(): void {
    if (!this.container.isConnected) return;
    this.width = Math.floor(this.container.clientWidth) || this.width || 600;
    const data = this.drawable();
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const opts = this.makeOptions(chartTheme(), { width: this.width, height: this.height });
    this.plot = new uPlot(opts, data, this.container);
  }
}

/** What a component's chart shows now; a new `key` builds a new chart (other series, other options). */
export interface PlotSpec {
  key: string;
  height: number;
  options: MakeOptions;
  data: SeriesData;
}

/**
 * A chart's life in a Lit component: after each update, the chart is built in the element the component rendered
 * at `selector` (again when that element or the spec's key changes) and given the spec's data; it is destroyed
 * when the component leaves the page or stops rendering the element.
 */
export class PlotController implements ReactiveController {
  private plot: Plot | null = null;
  private container: HTMLElement | null = null;
  private key = '';

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, private readonly selector: string, private readonly spec: () => PlotSpec | null) {
    host.addController(this);
  }

  hostUpdated(): void {
    const container = this.host.querySelector<HTMLElement>(this.selector);
    const spec = container ? this.spec() : null;
    if (container !== this.container || (spec?.key ?? '') !== this.key) {
      this.plot?.destroy();
      this.plot = container && spec ? new Plot(container, spec.options, spec.height) : null;
      this.container = container;
      this.key = spec?.key ?? '';
    }
    if (this.plot && spec) this.plot.setData(spec.data);
  }

  hostDisconnected(): void {
    this.plot?.destroy();
    this.plot = null;
    this.container = null;
    this.key = '';
  }
}
