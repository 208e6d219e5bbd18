// Facts about where the panel runs, decided once at start (webview/main.ts) and handed down the element tree by
// the app (a Lit context), so that no component reads a global.
import { createContext } from '@lit/context';

export interface PanelEnv {
  /** VS Code: source links and buttons post messages. The offline HTML report: read-only text. */
  readonly interactive: boolean;
  /** The codicon font is linked in the page; otherwise icons are text symbols. */
  readonly codicons: boolean;
}

export const panelEnv = createContext<PanelEnv>(Symbol('tfd-panel-env'));

/** Until a component is connected under the app: read-only, text symbols. */
export const DETACHED: PanelEnv = { interactive: false, codicons: false };
