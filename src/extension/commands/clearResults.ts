// tfjsDebugger.clearResults: forgets every finished run, in the session and in storage.
import type { Command } from './deps.ts';

export const clearResults: Command = ({ store }) => () => store.clear();
