// The run header: target, status, tfjs, gradient calls, duration, and the run's buttons (VS Code only).
import { html, nothing } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { RunReport } from '../../src/protocol/report.ts';
import type { RunPhase, WebviewCommand } from '../../src/protocol/webviewMessages.ts';
import { basename, duration, plural } from '../../src/model/format.ts';
import { probedCount } from '../views.ts';
import { emit, type IconName, PanelElement } from './base.ts';

// The same words as the sidebar and the status bar (src/extension/logic/runLabels.ts).
const STATUS: Record<RunPhase, { icon: IconName; label: string }> = {
  running: { icon: 'loading', label: 'running' },
  stopping: { icon: 'loading', label: 'stopping…' },
  completed: { icon: 'pass', label: 'completed' },
  failed: { icon: 'error', label: 'failed' },
  'timed-out': { icon: 'watch', label: 'timed out' },
  cancelled: { icon: 'circle-slash', label: 'stopped' },
};

export class RunHeader extends PanelElement {
  static override properties = { report: { attribute: false }, phase: { attribute: false } };
  declare report: RunReport | null;
  /** The host's phase of the run (running, stopping, or how it ended); null: the report's status. */
  declare phase: RunPhase | null;
  private ticker = 0;

  constructor() {
    super();
    this.report = null;
    this.phase = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.ticker);
    this.ticker = 0;
  }

  protected override updated(): void {
    // The duration of a running run counts up once a second, even between events.
    const running = this.report?.status === 'running' && this.phase !== 'stopping';
    if (running && !this.ticker) this.ticker = window.setInterval(() => this.requestUpdate(), 1000);
    if (!running && this.ticker) {
      window.clearInterval(this.ticker);
      this.ticker = 0;
    }
  }

  private command(command: WebviewCommand) {
    return (e: Event) => emit(e.currentTarget as EventTarget, { kind: 'command', command });
  }

  protected override render() {
    const r = this.report;
    const phase = this.phase ?? r?.status ?? null;
    const status = r && phase && Object.hasOwn(STATUS, phase) ? phase : null;
    const s = status ? STATUS[status] : null;
    const live = status === 'running' || status === 'stopping';
    const probed = r ? probedCount(r) : 0;
    const started = r?.startedAt ? Date.parse(r.startedAt) : NaN;
    const ms = status === 'running' && Number.isFinite(started) ? Date.now() - started : r?.durationMs;
    const tfjs = r?.tfjs;
    const target = r?.target ? basename(r.target) : r ? 'Run' : 'TF.js Model Debugger';
    const targetTitle = r ? [r.target, ...r.args].join(' ') : '';
    return html`
      <header id="run-header" aria-label="Run">
        <div class="run-title">
          <h1 class="target" title=${targetTitle}>${target}</h1>
          ${s && status
            ? html`<span id="run-status" class="status-badge status-${status}" role="status" data-status=${status}
                title=${`Run ${s.label}`}>${this.icon(s.icon, live ? 'spin' : '')}<span>${s.label}</span></span>`
            : html`<span id="run-status" class="visually-hidden" role="status" data-status="none">no run</span>`}
        </div>
        ${r ? html`<div class="run-meta">
          <span id="run-tfjs" title=${tfjs ? `tfjs-core at ${tfjs.path}` : ''}>${tfjs
            ? `tfjs ${tfjs.version} · ${tfjs.backend} backend · ${tfjs.source === 'workspace' ? "the project's own copy" : 'bundled copy'}` +
              (tfjs.fallbackKernels?.length ? ` · cpu kernels for ${tfjs.fallbackKernels.join(', ')}` : '')
            : 'tfjs not loaded yet'}</span>
          <span id="run-calls" title=${r.gradientCallsDropped ? `${r.gradientCallsDropped} calls not kept in the history` : ''}>${
            `${probed} probed of ${plural(r.gradientCallCount, 'gradient call')}`}</span>
          <span id="run-duration">${duration(ms)}</span>
          ${r.exitCode != null && r.exitCode !== 0 ? html`<span id="run-exit">exit code ${r.exitCode}</span>` : nothing}
        </div>` : nothing}
        ${this.env.interactive ? html`<div class="run-actions" role="toolbar" aria-label="Run actions">
          ${live
            ? html`<vscode-button id="btn-stop" icon="debug-stop" ?disabled=${status === 'stopping'} title=${status === 'stopping' ? 'Stopping the run' : 'Stop the run'}
                @click=${this.command('stop')}>${status === 'stopping' ? 'Stopping…' : 'Stop'}</vscode-button>`
            : nothing}
          <vscode-button id="btn-rerun" icon="debug-restart" ?secondary=${live} ?disabled=${!r?.target}
            title=${live ? 'Stop this run and run the script again' : 'Run the script again'} @click=${this.command('rerun')}>Re-run</vscode-button>
          <vscode-button id="btn-output" icon="terminal" secondary ?disabled=${!r} title="The script's own output, in the TF.js Debugger terminal" @click=${this.command('show-output')}>Output</vscode-button>
          <vscode-button id="btn-export-json" icon="json" secondary ?disabled=${!r} title="Save the JSON report" @click=${this.command('export-json')}>Export JSON</vscode-button>
          <vscode-button id="btn-export-html" icon="file-code" secondary ?disabled=${!r} title="Save a standalone HTML report" @click=${this.command('export-html')}>Export HTML</vscode-button>
        </div>` : nothing}
      </header>`;
  }
}
customElements.define('tfd-run-header', RunHeader);
