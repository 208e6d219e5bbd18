// The parts of Node's CommonJS loader (node:module) the runner hooks, which Node does not declare: how a
// require is resolved and loaded, the loaders by extension, the cache, and how the main module is run.
import Module from 'node:module';

/** A module being compiled (what a loader in Module._extensions gets). */
export interface CompilingModule {
  _compile(source: string, filename: string): unknown;
}

interface ModuleInternals {
  _load(request: unknown, ...rest: unknown[]): unknown;
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _extensions: Record<string, (module: CompilingModule, filename: string) => void>;
  _cache: Record<string, { exports: unknown; loaded: boolean } | undefined>;
  runMain(file: string): void;
}

export const moduleInternals = Module as unknown as ModuleInternals;
