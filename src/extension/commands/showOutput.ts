// tfjsDebugger.showOutput: the scripts' own output: the TF.js Debugger terminal (opened again with the last
// run's output if it was closed), or the output channel when no run has written to the terminal.
import type { Command } from './deps.ts';

export const showOutput: Command = ({ terminal, output }) => () => {
  if (terminal.hasOutput) terminal.show();
  else output.show();
};
