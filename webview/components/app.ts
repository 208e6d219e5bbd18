// The panel: header, error, findings, loss chart, layer table and the selected layer's detail. Owns the
// store; forwards user actions to the host (VS Code) and saves the state so hide/reload keeps it; tells its
// components where the panel runs (a Lit context).
import { ContextProvider } from '@lit/context';
import { html, nothing } from 'lit';
import type { RunReport } from '../../src/protocol/report.ts';
import type { Host } from '../host.ts';
import { DETACHED, panelEnv, type PanelEnv } from '../panelEnv.ts';
import { layerRows, type LayerRow } from '../views.ts';
import type { PanelSnapshot, PanelStore } from '../store.ts';
import { LightElement, PANEL_EVENT, type PanelEvent } from './base.ts';
import './compare-view.ts';
import './error-banner.ts';
import './finding-list.ts';
import './layer-detail.ts';
import './layer-table.ts';
import './loss-chart.ts';
import './run-header.ts';

// Saving serializes the whole report; while a run streams, the host holds it too, so save rarely.
const SAVE_INTERVAL_MS = 5000;

export class DebuggerApp extends LightElement {
  static override properties = { snap: { attribute: false } };
  declare snap: PanelSnapshot;
  store!: PanelStore;
  host!: Host;
  private unsubscribe: (() => void) | null = null;
  private rowsFor: RunReport | null = null;
  private rows: LayerRow[] = [];
  private saveTimer = 0;
  private lastSave = 0;
  private readonly env = new ContextProvider(this, { context: panelEnv, initialValue: DETACHED });
  /** Whether the layer table or detail is on screen (the host sends per-layer data only then). */
  private observer: IntersectionObserver | null = null;
  private readonly onScreen = new Set<Element>();
  /** What the host was last told (it assumes they are on screen until told otherwise). */
  private layersShown = true;

  /** Wires the app to its store, its host and where it runs; call before connecting it. */
  init(store: PanelStore, host: Host, env: PanelEnv): this {
    this.store = store;
    this.host = host;
    this.env.setValue(env);
    this.snap = store.snapshot;
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.id ||= 'app';
    this.addEventListener(PANEL_EVENT, this.onAction as EventListener);
    this.unsubscribe = this.store.subscribe((s) => {
      this.snap = s;
      this.save();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener(PANEL_EVENT, this.onAction as EventListener);
    this.unsubscribe?.();
    this.observer?.disconnect();
    this.observer = null;
  }

  /** Watches the layer table and detail; tells the host when neither is on screen, and when one is again. */
  protected override updated(): void {
    if (!this.host.interactive || typeof IntersectionObserver === 'undefined') return;
    this.observer ??= new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.onScreen.add(e.target);
        else this.onScreen.delete(e.target);
      }
      this.reportView();
    });
    for (const el of this.querySelectorAll('tfd-layer-table, tfd-layer-detail')) {
      if (!(el as HTMLElement).dataset.observed) {
        (el as HTMLElement).dataset.observed = '1';
        this.observer.observe(el);
      }
    }
    for (const el of [...this.onScreen]) if (!el.isConnected) this.onScreen.delete(el);
  }

  private reportView(): void {
    const shown = this.onScreen.size > 0;
    if (shown === this.layersShown) return;
    this.layersShown = shown;
    this.host.post({ type: 'view', layers: shown });
  }

  /** Saves the state: now when no run streams, else at most every 5 s. */
  private save(): void {
    const write = () => {
      this.saveTimer = 0;
      this.lastSave = Date.now();
      const { report, selectedLayer, sort } = this.store.snapshot;
      this.host.setState({ v: 1, report, selectedLayer, sort });
    };
    if (this.store.snapshot.report?.status !== 'running') {
      window.clearTimeout(this.saveTimer);
      write();
    } else if (!this.saveTimer) {
      this.saveTimer = window.setTimeout(write, Math.max(0, this.lastSave + SAVE_INTERVAL_MS - Date.now()));
    }
  }

  private onAction = (e: CustomEvent<PanelEvent>) => {
    const a = e.detail;
    switch (a.kind) {
      case 'select-layer':
        this.store.select(a.layer);
        this.host.post({ type: 'select-layer', layer: a.layer });
        break;
      case 'reveal-source':
        this.host.post({ type: 'reveal-source', source: a.source });
        break;
      case 'command':
        this.host.post({ type: 'command', command: a.command });
        break;
      case 'sort':
        this.store.setSort(a.sort);
        break;
      case 'close-compare':
        this.store.setComparison(null);
        this.host.post({ type: 'close-compare' });
        break;
    }
  };

  /** A layer chosen outside the panel (sidebar, hover, CodeLens): select it and bring its detail into view. */
  revealLayer(layer: number): void {
    this.store.select(layer);
    void this.updateComplete.then(() => this.querySelector('#layer-detail')?.scrollIntoView({ block: 'start' }));
  }

  private layerRows(report: RunReport | null): LayerRow[] {
    if (report !== this.rowsFor) {
      this.rowsFor = report;
      this.rows = report ? layerRows(report) : [];
    }
    return this.rows;
  }

  protected override render() {
    const { report, selectedLayer, sort, phase, comparison } = this.snap;
    if (comparison) return html`<tfd-compare-view .comparison=${comparison}></tfd-compare-view>`;
    const rows = this.layerRows(report);
    const selected = rows.find((r) => r.id === selectedLayer) ?? null;
    const running = report?.status === 'running';
    return html`
      <tfd-run-header .report=${report} .phase=${phase}></tfd-run-header>
      ${report?.error ? html`<tfd-error-banner .error=${report.error} .status=${report.status}></tfd-error-banner>` : nothing}
      ${report ? html`
        <tfd-finding-list .findings=${report.findings} .layers=${report.layers} ?running=${running}></tfd-finding-list>
        ${running || report.gradientCalls.length ? html`<tfd-loss-chart .report=${report}></tfd-loss-chart>` : nothing}
        ${running || rows.length ? html`<tfd-layer-table .rows=${rows} .selected=${selectedLayer} .sort=${sort}></tfd-layer-table>` : nothing}
        ${rows.length ? html`<tfd-layer-detail .report=${report} .row=${selected}></tfd-layer-detail>` : nothing}
        ${report.logs.length ? html`<details id="run-log" class="run-log"><summary>Runner log (${report.logs.length})</summary>
          <pre>${report.logs.join('\n')}</pre></details>` : nothing}` : html`
        <p class="muted empty-panel">No run to show yet. Run a training script with the debugger to see its gradient calls, layers and findings here.</p>`}`;
  }
}
customElements.define('tfd-app', DebuggerApp);
