// tfjsDebugger.showPanel: shows the panel (creating it if needed).
import { DebuggerPanel } from '../panel/debuggerPanel.ts';
import type { Command } from './deps.ts';

export const showPanel: Command = ({ panelHost }) => () => void DebuggerPanel.show(panelHost);
