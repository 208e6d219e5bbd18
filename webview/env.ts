// Facts about where the panel runs, decided once at start.
import { PAGE_IDS } from '../src/shell/html.ts';

export const env = {
  /** VS Code: source links and buttons post messages. Standalone HTML report: read-only text. */
  interactive: false,
  /** The codicon font is linked (`<link id="vscode-codicon-stylesheet">`); otherwise text symbols. */
  codicons: false,
};

export function detectCodicons(): boolean {
  return document.getElementById(PAGE_IDS.codicons) !== null;
}
