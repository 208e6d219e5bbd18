// The panel's two hosts: VS Code (acquireVsCodeApi: messages both ways, state kept by VS Code) and the
// standalone HTML report (read-only: the report is embedded in the page, nothing is posted).
import type { RunReport } from '../src/protocol/report.ts';
import type { WebviewToHost } from '../src/protocol/webviewMessages.ts';
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
