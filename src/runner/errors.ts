// Turns whatever the user's script threw into a RunError that names their file and line.
import { fileURLToPath } from 'node:url';
import type { RunError } from '../protocol.ts';
import { firstUserFrame, type InternalPathTest } from '../core/instrument/callSites.ts';

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
  const loc = (e as any).loc as { line: number; column: number } | undefined;
  if (loc && fallbackFile) return { message: `${e.name}: ${e.message}`, file: fallbackFile, line: loc.line, column: loc.column + 1, stack };
  const frame = firstUserFrame(stack, isInternal);
  return {
    message: e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message,
    file: frame?.file ?? null,
    line: frame?.line ?? null,
    column: frame?.column ?? null,
    stack,
  };
}
