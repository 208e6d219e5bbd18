// Findings as cards: severity, rule, layer, the point in one line, the message, every layer a grouped finding
// covers (each one a link to its row), the fix, and a link to the line.
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { Finding, LayerInfo, Severity } from '../../src/protocol/report.ts';
import { plural } from '../../src/model/format.ts';
import { emit, PanelElement } from './base.ts';

const SEVERITY: Record<Severity, { icon: 'error' | 'warning' | 'info'; label: string }> = {
  error: { icon: 'error', label: 'Error' },
  warning: { icon: 'warning', label: 'Warning' },
  info: { icon: 'info', label: 'Info' },
};

/** A stable key for a finding across live updates. */
function keyOf(f: Finding, i: number): string {
  return `${f.rule}:${f.layer}:${f.gradientCall}:${i}`;
}

export class FindingList extends PanelElement {
  static override properties = {
    findings: { attribute: false }, layers: { attribute: false }, running: { type: Boolean }, toggled: { state: true },
  };
  declare findings: Finding[];
  declare layers: LayerInfo[];
  declare running: boolean;
  /** Cards the user expanded or collapsed; the first card starts expanded, the others collapsed. */
  declare toggled: ReadonlySet<string>;

  constructor() {
    super();
    this.findings = [];
    this.layers = [];
    this.running = false;
    this.toggled = new Set();
  }

  private toggle(key: string) {
    const next = new Set(this.toggled);
    if (!next.delete(key)) next.add(key);
    this.toggled = next;
  }

  private card(f: Finding, i: number, byId: Map<number, LayerInfo>) {
    const sev = Object.hasOwn(SEVERITY, f.severity) ? SEVERITY[f.severity] : SEVERITY.info;
    const layer = f.layer != null ? byId.get(f.layer) : undefined;
    const covered = (f.layers ?? []).map((id) => byId.get(id)).filter((l): l is LayerInfo => l != null);
    const key = keyOf(f, i);
    const expanded = (i === 0) !== this.toggled.has(key);
    const bodyId = `finding-body-${i}`;
    const selectLayer = (e: Event) => {
      if (layer) emit(e.currentTarget as EventTarget, { kind: 'select-layer', layer: layer.id });
    };
    return html`
      <article class="finding-card severity-${sev.icon} ${expanded ? 'expanded' : 'collapsed'}" data-rule=${f.rule} data-severity=${sev.icon}
        aria-label=${`${sev.label}: ${f.rule}${layer ? ` in ${layer.name}` : ''}`}>
        <div class="finding-head">
          <span class="severity-icon" title=${sev.label}>${this.icon(sev.icon)}</span>
          <span class="visually-hidden">${sev.label}</span>
          <code class="rule">${f.rule}</code>
          ${layer ? html`<button type="button" class="layer-link" title="Show this layer" @click=${selectLayer}>${layer.name}</button>` : nothing}
          ${f.gradientCall != null ? html`<span class="muted">gradient call ${f.gradientCall}</span>` : nothing}
          <span class="spacer"></span>
          ${this.sourceLink(f.source)}
          <button type="button" class="toggle-link" aria-expanded=${expanded ? 'true' : 'false'} aria-controls=${bodyId}
            @click=${() => this.toggle(key)}>${expanded ? 'Less' : 'More'}</button>
        </div>
        <div id=${bodyId} class="finding-body">
          ${f.summary ? html`<p class="finding-summary">${f.summary}</p>` : nothing}
          <p class="finding-message" ?hidden=${Boolean(f.summary) && !expanded}>${f.message}</p>
          ${covered.length > 1 ? html`<details class="finding-layers" ?hidden=${!expanded}>
            <summary>${plural(covered.length, 'layer')}</summary>
            <ul>${covered.map((l) => html`<li><button type="button" class="layer-link" title="Show this layer"
              @click=${(e: Event) => emit(e.currentTarget as EventTarget, { kind: 'select-layer', layer: l.id })}>${l.name}</button></li>`)}</ul>
          </details>` : nothing}
          ${f.fix ? html`<p class="finding-fix" ?hidden=${!expanded}><strong>Fix:</strong> ${f.fix}</p>` : nothing}
        </div>
      </article>`;
  }

  protected override render() {
    const byId = new Map(this.layers.map((l) => [l.id, l]));
    const n = this.findings.length;
    return html`
      <section id="findings" aria-label="Findings">
        <h2>Findings <vscode-badge variant="counter" aria-hidden="true">${n}</vscode-badge><span class="visually-hidden">${plural(n, 'finding')}</span></h2>
        ${n === 0
          ? html`<p class="muted empty">${this.running ? 'No findings so far.' : 'No findings.'}</p>`
          : html`<div class="cards">${repeat(this.findings, keyOf, (f, i) => this.card(f, i, byId))}</div>`}
      </section>`;
  }
}
customElements.define('tfd-finding-list', FindingList);
