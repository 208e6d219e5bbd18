// Turns whatever the user's script threw into a RunError that names their file and line.
import { fileURLToPath } from 'node:url';
import type { RunError } from '../protocol/report.ts';
import { firstUserFrame, type InternalPathTest } from '../engine/callSites.ts';

export function toRunError(error: unknown, isInternal: InternalPathTest, fallbackFile: string | null): RunError {
  const e = error instanceof Error ? error : new Error(String(error));
  const stack = typeof e.stack === 'string' ? e.stack : '';
  // Node prefixes a SyntaxError's stack with "file:line" and the offending source line.
  const syntax = /^((?:file:\/\/)?\/[^\n]*?):(\d+)\n/.exec(stack);
  if (syntax) {
    const file = syntax[1].startsWith('file://') ? fileURLToPath(syntax[1]) : syntax[1];
    return { message: `${e.name}: ${e.message}`, file, line: Number(syntax[2]), column: null, stack };
  }
  // sucrase reports TypeScript syntax errors with a loc.
  const { loc, file: sucraseFile } = e as { loc?: { line: number; column: number }; file?: unknown };
  const locFile = typeof sucraseFile === 'string' ? sucraseFile : fallbackFile;
  if (loc && locFile) return { message: `${e.name}: ${e.message}`, file: locFile, line: loc.line, column: loc.column + 1, stack };
  const frame = firstUserFrame(stack, isInternal);
  const code = (e as NodeJS.ErrnoException).code;
  const missing = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find (?:module|package) '([^']+)'/.exec(e.message) : null;
  if (missing && frame) {
    const name = missing[1].startsWith('.') || missing[1].startsWith('/') ? null : missing[1].split('/').slice(0, missing[1].startsWith('@') ? 2 : 1).join('/');
    return {
      message: name
        ? `The script needs the npm package ${name}, which is not installed. Run npm install ${name} in the script's project.` +
          (/^@tensorflow\/tfjs-node/.test(name) ? ' (The debugger bundles @tensorflow/tfjs, which runs on wasm: require that instead to use it.)' : '')
        : `The script requires ${missing[1]}, which does not exist. Check the path.`,
      file: frame.file, line: frame.line, column: frame.column, stack,
    };
  }
  return {
    message: e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message,
    file: frame?.file ?? null,
    line: frame?.line ?? null,
    column: frame?.column ?? null,
    stack,
  };
}
