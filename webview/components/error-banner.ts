// The run's error: what failed, where (a link to the line), and the stack on demand.
import { html, nothing } from 'lit';
import type { RunError } from '../../src/protocol/report.ts';
import { PanelElement } from './base.ts';

const KIND: Record<string, string> = {
  usage: 'The script could not be run',
  script: 'The script failed',
  internal: 'The debugger failed',
};

export class ErrorBanner extends PanelElement {
  static override properties = { error: { attribute: false }, status: { attribute: false } };
  declare error: RunError | null;
  declare status: string | null;

  constructor() {
    super();
    this.error = null;
    this.status = null;
  }

  protected override render() {
    const e = this.error;
    if (!e) return nothing;
    // The user's own Stop is not an error: a quiet note (the header already says "stopped").
    if (this.status === 'cancelled' && e.kind !== 'internal' && !e.file) {
      return html`<p id="stopped-note" class="stopped-note" role="status">${this.icon('circle-slash')}<span>${e.message === 'The run was stopped.'
        ? 'You stopped the run; what it recorded until then is below.' : e.message}</span></p>`;
    }
    const title = (e.kind && Object.hasOwn(KIND, e.kind) && KIND[e.kind]) || (this.status === 'cancelled' ? 'The run was stopped' : this.status === 'timed-out' ? 'The run timed out' : 'The run failed');
    const source = e.file && e.line ? { file: e.file, line: e.line, column: e.column ?? 1 } : null;
    return html`
      <section id="error-banner" class="error-banner" role="alert" aria-label=${title}>
        ${this.icon(this.status === 'cancelled' ? 'circle-slash' : 'error', 'banner-icon')}
        <div class="banner-body">
          <div class="banner-title">${title}${source ? html` at ${this.sourceLink(source)}` : nothing}</div>
          <div class="banner-message">${e.message}</div>
          ${e.stack ? html`<details class="stack"><summary>Stack trace</summary><pre>${e.stack}</pre></details>` : nothing}
        </div>
      </section>`;
  }
}
customElements.define('tfd-error-banner', ErrorBanner);
