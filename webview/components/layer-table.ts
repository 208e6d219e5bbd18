// Per-layer table: mode inside and outside gradient calls, output statistics, BatchNorm drift, gradient
// norm and attribution share. Sortable by clicking (or Enter on) a header; rows are keyed by layer id, so
// live updates patch cells in place. Keyboard: Tab reaches the table, ↑/↓/Home/End move, Enter selects.
// A model with many layers gets a scrolling table that renders only the rows in view (plus some either
// side), so a live update costs the same with 50 layers or 5,000.
// Narrow panels (down to 350 px): the name column stays in place when the table scrolls sideways, and columns go
// by priority as the panel narrows (each column's `priority`, read by container queries in styles.css): first the
// output statistics, then the source and trainability, then id, NaN/Inf and |grad|, then class, drift and share;
// the name and the two modes always stay.
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { exact, num, percent } from '../../src/model/format.ts';
import type { LayerRow } from '../views.ts';
import { TRAINS_MEANING } from '../../src/model/views/trainability.ts';
import type { PanelEnv } from '../panelEnv.ts';
import { emit, modeBadge, numberCell, PanelElement, sourceLink } from './base.ts';

export type SortKey = 'id' | 'name' | 'className' | 'modeInside' | 'modeOutside' | 'trains' | 'mean' | 'std' | 'min' | 'max' |
  'nonFinite' | 'drift' | 'gradNorm' | 'share' | 'source';
export interface SortState { key: SortKey; dir: 'asc' | 'desc' }

interface Column {
  key: SortKey;
  label: string;
  title: string;
  numeric?: boolean;
  /** 1: always shown; 2–5: hidden below a panel width (the higher, the sooner). */
  priority: 1 | 2 | 3 | 4 | 5;
  value(r: LayerRow): number | string | null;
  /** `env`: where the panel runs (for the source link). */
  cell(r: LayerRow, env: PanelEnv): TemplateResult | string | typeof nothing;
}

const COLUMNS: Column[] = [
  { key: 'id', priority: 3, label: '#', title: 'Layer id, in the order the layers were built', numeric: true, value: (r) => r.id, cell: (r) => String(r.id) },
  {
    key: 'name', priority: 1, label: 'Layer', title: 'Layer name', value: (r) => r.name,
    cell: (r) => html`<span class="layer-name" title=${r.parents.length ? `${r.name} (in ${r.parents.join(', ')})` : r.name}>${r.name}</span>`,
  },
  {
    key: 'className', priority: 2, label: 'Class', title: 'Layer class; * behaves differently in training and inference', value: (r) => r.className,
    cell: (r) => html`${r.className}${r.modeDependent ? html`<span class="mode-dependent" title="Behaves differently in training and inference mode">*</span>` : nothing}`,
  },
  {
    key: 'modeInside', priority: 1, label: 'In gradient calls', title: 'Mode the layer ran in inside the recorded gradient calls', value: (r) => r.modeInside,
    cell: (r) => modeBadge(r.modeInside, undefined, r.modeInside ? `${r.modeInside} in ${r.callsInside} recorded gradient call${r.callsInside === 1 ? '' : 's'}` : 'did not run inside a gradient call'),
  },
  {
    key: 'modeOutside', priority: 1, label: 'Outside', title: 'Mode of the calls outside gradient calls (predict, evaluate, apply)', value: (r) => r.modeOutside,
    cell: (r) => modeBadge(r.modeOutside, r.callsOutside || undefined, `training ×${r.info.outsideCalls.training}, inference ×${r.info.outsideCalls.inference}`),
  },
  {
    key: 'trains', priority: 4, label: 'Trains', title: 'Whether the layer\'s weights train: yes, partly, frozen (trainable = false on it or a model it runs in), no grad (trainable, yet no gradient), — (no weights)',
    value: (r) => r.trains, cell: (r) => html`<span class=${r.trains === 'no grad' ? 'bad' : r.trains === 'frozen' ? 'muted' : ''} title=${TRAINS_MEANING[r.trains]}>${r.trains}</span>`,
  },
  { key: 'mean', priority: 5, label: 'Mean', title: 'Output mean, latest probed call', numeric: true, value: (r) => r.output?.mean ?? null, cell: (r) => numberCell(r.output?.mean) },
  { key: 'std', priority: 5, label: 'Std', title: 'Output standard deviation, latest probed call', numeric: true, value: (r) => r.output?.std ?? null, cell: (r) => numberCell(r.output?.std) },
  { key: 'min', priority: 5, label: 'Min', title: 'Output minimum, latest probed call', numeric: true, value: (r) => r.output?.min ?? null, cell: (r) => numberCell(r.output?.min) },
  { key: 'max', priority: 5, label: 'Max', title: 'Output maximum, latest probed call', numeric: true, value: (r) => r.output?.max ?? null, cell: (r) => numberCell(r.output?.max) },
  {
    key: 'nonFinite', priority: 3, label: 'NaN/Inf', title: 'NaN and Inf values in the output (latest probed call); red when any recorded call had some', numeric: true,
    value: (r) => r.nonFinite,
    cell: (r) => html`<span class=${r.nonFinite > 0 ? 'bad' : ''} title=${`${r.nonFinite} non-finite values over the recorded calls`}>${
      r.output ? `${r.output.nanCount}/${r.output.infCount}` : r.nonFinite > 0 ? String(r.nonFinite) : '—'}</span>`,
  },
  {
    key: 'drift', priority: 2, label: 'BN drift', title: 'BatchNorm: max over channels of |batch mean − moving mean| / √(moving variance + ε), latest call', numeric: true,
    value: (r) => r.drift, cell: (r) => (r.drift == null ? html`<span class="muted">—</span>` : html`<span title=${exact(r.drift)}>${num(r.drift, 3)}σ</span>`),
  },
  { key: 'gradNorm', priority: 3, label: '|grad|', title: 'L2 norm of the gradients of the layer’s weights, latest call', numeric: true, value: (r) => r.gradNorm, cell: (r) => numberCell(r.gradNorm, 3) },
  {
    key: 'share', priority: 2, label: 'Share', title: 'Share of the loss gap attributed to this layer (latest attributed call)', numeric: true, value: (r) => r.share,
    cell: (r) => html`<span title=${exact(r.share)}>${percent(r.share)}</span>`,
  },
  { key: 'source', priority: 4, label: 'Source', title: 'Where the layer was built', value: (r) => r.info.source ? `${r.info.source.file}:${String(r.info.source.line).padStart(8, '0')}` : null, cell: (r, env) => sourceLink(env, r.info.source, r.sourceLabel) },
];

const KEYS = new Set<string>(COLUMNS.map((c) => c.key));

/** Tables with more rows than this render only a window of them. */
export const WINDOW_FROM = 150;
/** Rows rendered above and below the ones in view. */
const OVERSCAN = 20;

export function validSort(s: unknown): SortState | null {
  const x = s as SortState | null;
  return x && KEYS.has(x.key) && (x.dir === 'asc' || x.dir === 'desc') ? { key: x.key, dir: x.dir } : null;
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b;
  return String(a).localeCompare(String(b));
}

export function sortRows(rows: LayerRow[], sort: SortState | null): LayerRow[] {
  const col = COLUMNS.find((c) => c.key === (sort?.key ?? 'id')) ?? COLUMNS[0];
  const dir = sort?.dir === 'desc' ? -1 : 1;
  return rows.slice().sort((x, y) => {
    const a = col.value(x);
    const b = col.value(y);
    if (a == null || b == null) return compare(a, b); // missing values last either way
    return dir * compare(a, b) || x.id - y.id;
  });
}

export class LayerTable extends PanelElement {
  static override properties = {
    rows: { attribute: false }, selected: { attribute: false }, sort: { attribute: false }, active: { state: true },
    windowStart: { state: true },
  };
  declare rows: LayerRow[];
  declare selected: number | null;
  declare sort: SortState | null;
  /** The row that takes the table's single tab stop. */
  declare active: number | null;
  /** First row rendered, when windowed. */
  declare windowStart: number;
  // Sizes are measured once and on resize, never during an update: reading layout there would force it.
  private rowHeight = 24;
  private rowHeightMeasured = false;
  private viewportHeight = window.innerHeight * 0.7;
  private resizeObserver: ResizeObserver | null = null;
  private sorted: LayerRow[] = [];
  private scrollFrame = 0;

  constructor() {
    super();
    this.rows = [];
    this.selected = null;
    this.sort = null;
    this.active = null;
    this.windowStart = 0;
  }

  private get windowed(): boolean {
    return this.rows.length > WINDOW_FROM;
  }

  private scroller(): HTMLElement | null {
    return this.querySelector('.table-scroll');
  }

  /** How many rows a window holds: those that fit in the scroller, and the overscan either side. */
  private windowSize(): number {
    return Math.ceil(this.viewportHeight / this.rowHeight) + 2 * OVERSCAN;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  private onScroll() {
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = 0;
      const top = this.scroller()?.scrollTop ?? 0;
      const start = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
      if (Math.abs(start - this.windowStart) >= OVERSCAN / 2 || start === 0) this.windowStart = start;
    });
  }

  /** Scrolls the windowed table so that the row at this index is in view, and renders it. */
  private async reveal(index: number): Promise<void> {
    const scroller = this.scroller();
    if (!this.windowed || !scroller || index < 0) return;
    const top = index * this.rowHeight;
    const header = this.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + this.rowHeight > scroller.scrollTop + scroller.clientHeight - header) scroller.scrollTop = top + this.rowHeight - scroller.clientHeight + header;
    const start = Math.max(0, Math.floor(scroller.scrollTop / this.rowHeight) - OVERSCAN);
    if (index < start || index >= start + this.windowSize()) this.windowStart = start;
    else if (start !== this.windowStart && Math.abs(start - this.windowStart) >= OVERSCAN / 2) this.windowStart = start;
    await this.updateComplete;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.windowed) return;
    // Spacer heights through the CSSOM: a style attribute would break the webview's CSP.
    const [top, bottom] = this.querySelectorAll<HTMLElement>('tbody tr.spacer');
    if (top && bottom) {
      top.style.height = `${Number(top.dataset.rows) * this.rowHeight}px`;
      bottom.style.height = `${Number(bottom.dataset.rows) * this.rowHeight}px`;
    }
    const scroller = this.scroller();
    if (scroller && !this.resizeObserver) {
      this.resizeObserver = new ResizeObserver(() => {
        this.viewportHeight = scroller.clientHeight || this.viewportHeight;
        const first = this.querySelector<HTMLElement>('tbody tr[data-layer-id]');
        if (!this.rowHeightMeasured && first && first.offsetHeight > 0) {
          this.rowHeight = first.offsetHeight;
          this.rowHeightMeasured = true;
        }
        this.requestUpdate();
      });
      this.resizeObserver.observe(scroller);
    }
    if (changed.has('selected') && this.selected != null) {
      void this.reveal(this.sorted.findIndex((r) => r.id === this.selected));
    }
  }

  private toggleSort(key: SortKey) {
    const current = this.sort ?? { key: 'id', dir: 'asc' };
    const sort: SortState = current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
    emit(this, { kind: 'sort', sort });
  }

  private async onRowKey(e: KeyboardEvent) {
    const row = e.currentTarget as HTMLTableRowElement;
    const rows = this.sorted;
    const i = rows.findIndex((r) => r.id === Number(row.dataset.layerId));
    let next: LayerRow | undefined;
    switch (e.key) {
      case 'ArrowDown': next = rows[Math.min(rows.length - 1, i + 1)]; break;
      case 'ArrowUp': next = rows[Math.max(0, i - 1)]; break;
      case 'Home': next = rows[0]; break;
      case 'End': next = rows[rows.length - 1]; break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.choose(row);
        return;
      default:
        return;
    }
    e.preventDefault();
    if (!next) return;
    this.active = next.id;
    await this.reveal(rows.indexOf(next));
    await this.updateComplete;
    this.querySelector<HTMLElement>(`tbody tr[data-layer-id="${next.id}"]`)?.focus();
  }

  private choose(row: HTMLTableRowElement) {
    const id = Number(row.dataset.layerId);
    this.active = id;
    emit(this, { kind: 'select-layer', layer: id });
  }

  protected override render() {
    const rows = (this.sorted = sortRows(this.rows, this.sort));
    const windowed = this.windowed;
    const start = windowed ? Math.min(this.windowStart, Math.max(0, rows.length - this.windowSize())) : 0;
    const shown = windowed ? rows.slice(start, start + this.windowSize()) : rows;
    const spacer = (n: number) => windowed ? html`<tr class="spacer" aria-hidden="true" data-rows=${String(n)}></tr>` : nothing;
    const sortKey = this.sort?.key ?? 'id';
    const sortDir = this.sort?.dir ?? 'asc';
    const tabStop = rows.some((r) => r.id === this.active) ? this.active
      : rows.some((r) => r.id === this.selected) ? this.selected : rows[0]?.id ?? null;
    return html`
      <section id="layers" aria-label="Layers">
        <h2>Layers <span class="muted heading-note">mode inside gradient calls and outside them; statistics from the latest recorded call</span></h2>
        ${rows.length === 0 ? html`<p class="muted empty">No layers yet.</p>` : html`
        <div class=${windowed ? 'table-scroll windowed' : 'table-scroll'} @scroll=${windowed ? this.onScroll : nothing}>
          <table id="layer-table" class="data-table" role="grid" aria-label="Layers" aria-rowcount=${rows.length + 1}>
            <thead>
              <tr>${COLUMNS.map((c) => html`
                <th scope="col" class=${`col-${c.key} prio-${c.priority}${c.numeric ? ' num' : ''}`} aria-sort=${c.key === sortKey ? (sortDir === 'asc' ? 'ascending' : 'descending') : nothing}>
                  <button type="button" class="sort-button" data-sort-key=${c.key} title=${`${c.title}. Sort by ${c.label}`} @click=${() => this.toggleSort(c.key)}>
                    ${c.label}${c.key === sortKey ? this.icon(sortDir === 'asc' ? 'arrow-up' : 'arrow-down', 'sort-icon') : nothing}
                  </button>
                </th>`)}
              </tr>
            </thead>
            <tbody>
              ${spacer(start)}
              ${repeat(shown, (r) => r.id, (r, i) => html`
                <tr data-layer-id=${String(r.id)} aria-rowindex=${start + i + 2} tabindex=${r.id === tabStop ? '0' : '-1'} aria-selected=${r.id === this.selected ? 'true' : 'false'}
                  class=${r.id === this.selected ? 'selected' : ''} aria-label=${`${r.name}, ${r.className}, ${r.modeInside ?? 'did not run'} in gradient calls, ${r.modeOutside ?? 'not called'} outside`}
                  @click=${(e: Event) => this.choose(e.currentTarget as HTMLTableRowElement)} @keydown=${this.onRowKey}
                  @focus=${() => { this.active = r.id; }}>
                  ${COLUMNS.map((c) => html`<td class=${`col-${c.key} prio-${c.priority}${c.numeric ? ' num' : ''}`}>${c.cell(r, this.env)}</td>`)}
                </tr>`)}
              ${spacer(rows.length - start - shown.length)}
            </tbody>
          </table>
        </div>`}
      </section>`;
  }
}
customElements.define('tfd-layer-table', LayerTable);
