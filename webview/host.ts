// The panel's two hosts: VS Code (acquireVsCodeApi: messages both ways, state kept by VS Code) and the
// standalone HTML report (read-only: the report is embedded in the page, nothing is posted).
import type { HostToWebview, RunReport, WebviewToHost } from '../src/protocol/report.ts';
import type { SortState } from './components/layer-table.ts';

/** What survives hiding and reloading the panel. */
export interface PersistedState {
  v: 1;
  report: RunReport | null;
  selectedLayer: number | null;
  sort: SortState | null;
}

export interface Host {
  /** VS Code: links and buttons post messages. Standalone: read-only. */
  readonly interactive: boolean;
  post(message: WebviewToHost): void;
  getState(): PersistedState | null;
  setState(state: PersistedState): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

type AcquireVsCodeApi = () => VsCodeApi;

export function vscodeApiFactory(): AcquireVsCodeApi | null {
  const f = (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi;
  return typeof f === 'function' ? (f as AcquireVsCodeApi) : null;
}

export class VsCodeHost implements Host {
  readonly interactive = true;
  private readonly api: VsCodeApi;

  constructor(acquire: AcquireVsCodeApi) {
    this.api = acquire();
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  getState(): PersistedState | null {
    const s = this.api.getState() as PersistedState | null | undefined;
    return s && s.v === 1 ? s : null;
  }

  setState(state: PersistedState): void {
    this.api.setState(state);
  }
}

export class StandaloneHost implements Host {
  readonly interactive = false;
  post(): void {}
  getState(): PersistedState | null {
    return null;
  }
  setState(): void {}
}

/** Shape check of a message from the host; anything else is ignored. */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const isReport = (r: unknown) => typeof r === 'object' && r !== null && Array.isArray((r as RunReport).layers) &&
    Array.isArray((r as RunReport).gradientCalls) && Array.isArray((r as RunReport).findings);
  switch (m.type) {
    case 'report':
      return m.report === null || isReport(m.report);
    case 'run-ended':
      return isReport(m.report);
    case 'events':
      return Array.isArray(m.events) && m.events.every((e) => typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string');
    case 'select-layer':
      return Number.isInteger(m.layer);
    default:
      return false;
  }
}
