// Shared pieces: light-DOM Lit elements (styled by dist/webview.css, found by plain ids) that read where the
// panel runs from the app (PanelElement), codicons with a text fallback, source links, and events that bubble up
// to the app.
import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import type { Mode, SourceLocation } from '../../src/protocol/report.ts';
import type { WebviewCommand } from '../../src/protocol/webviewMessages.ts';
import { exact, fullPlace, num, place } from '../../src/model/format.ts';
import { DETACHED, panelEnv, type PanelEnv } from '../panelEnv.ts';
import type { SortState } from './layer-table.ts';

/** Renders into the element itself, so the document's stylesheet and ids apply. */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}

/** A component of the panel: knows where the panel runs (from the app's context), for its icons and links. */
export class PanelElement extends LightElement {
  private readonly envContext = new ContextConsumer(this, { context: panelEnv });

  protected get env(): PanelEnv {
    return this.envContext.value ?? DETACHED;
  }

  protected icon(name: IconName, extraClass = ''): TemplateResult {
    return icon(this.env, name, extraClass);
  }

  protected sourceLink(source: SourceLocation | null | undefined, label?: string): TemplateResult | typeof nothing {
    return sourceLink(this.env, source, label);
  }
}

/** Codicon names the panel uses, with the text shown when the font is absent. */
const ICONS = {
  error: '✕',
  warning: '⚠',
  info: 'ℹ',
  pass: '✓',
  loading: '…',
  'circle-slash': '⊘',
  watch: '⏱',
  'debug-restart': '↻',
  'debug-stop': '■',
  json: '{}',
  'file-code': '⇩',
  'go-to-file': '↗',
  'arrow-up': '↑',
  'arrow-down': '↓',
  'graph-line': '',
  layers: '',
  close: '✕',
  diff: '⇄',
} as const;

export type IconName = keyof typeof ICONS;

export function icon(env: PanelEnv, name: IconName, extraClass = ''): TemplateResult {
  return env.codicons
    ? html`<span class="codicon codicon-${name} ${extraClass}" aria-hidden="true"></span>`
    : html`<span class="icon-text ${extraClass}" aria-hidden="true">${ICONS[name]}</span>`;
}

export type PanelEvent =
  | { kind: 'reveal-source'; source: SourceLocation }
  | { kind: 'select-layer'; layer: number }
  | { kind: 'command'; command: WebviewCommand }
  | { kind: 'sort'; sort: SortState }
  | { kind: 'close-compare' };

export const PANEL_EVENT = 'tfd-action';

export function emit(from: EventTarget, detail: PanelEvent): void {
  from.dispatchEvent(new CustomEvent<PanelEvent>(PANEL_EVENT, { detail, bubbles: true, composed: true }));
}

/** `file.js:12` that reveals the line in VS Code; plain text in the standalone report. */
export function sourceLink(env: PanelEnv, source: SourceLocation | null | undefined, label?: string): TemplateResult | typeof nothing {
  if (!source) return html`<span class="muted">—</span>`;
  const text = label ?? place(source);
  if (!env.interactive) return html`<span class="source-text" title=${fullPlace(source)}>${text}</span>`;
  const onClick = (e: Event) => {
    e.stopPropagation();
    emit(e.currentTarget as EventTarget, { kind: 'reveal-source', source: { file: source.file, line: source.line, column: Math.max(1, source.column || 1) } });
  };
  const onKey = (e: KeyboardEvent) => {
    // Enter on the link must not also select the row it sits in.
    if (e.key === 'Enter' || e.key === ' ') e.stopPropagation();
  };
  return html`<button type="button" class="source-link" title=${`Open ${fullPlace(source)}`}
    data-file=${source.file} data-line=${String(source.line)} @click=${onClick} @keydown=${onKey}>${text}</button>`;
}

/** A number, rounded, with its exact value as the title. */
export function numberCell(x: number | null | undefined, digits = 4): TemplateResult {
  return html`<span title=${exact(x)}>${num(x, digits)}</span>`;
}

const MODE_CLASS: Record<Mode, string> = { training: 'mode-training', inference: 'mode-inference', mixed: 'mode-mixed' };

/** A mode badge; `count` adds ×n. */
export function modeBadge(mode: Mode | null, count?: number, title?: string): TemplateResult {
  if (!mode || !Object.hasOwn(MODE_CLASS, mode)) return html`<span class="muted" title=${title ?? 'did not run'}>—</span>`;
  return html`<span class="mode-badge ${MODE_CLASS[mode]}" data-mode=${mode} title=${title ?? mode}>${mode}${count != null ? html`<span class="count"> ×${count}</span>` : nothing}</span>`;
}
