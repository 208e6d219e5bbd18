// A uPlot chart bound to a container: sized to it (ResizeObserver), rebuilt when the theme changes, and
// fed new data at most ~20 times a second (frame-coalesced), downsampled to min/max per pixel.
import uPlot from 'uplot';
import { minMaxIndices, pick } from './downsample.ts';
import { chartTheme, onThemeChange, type ChartTheme } from './theme.ts';
import { frameThrottle } from './throttle.ts';

export type SeriesData = { x: number[]; ys: (number | null)[][] };
export type MakeOptions = (theme: ChartTheme, size: { width: number; height: number }) => uPlot.Options;

export class Plot {
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
