// TypeScript to JavaScript for the user's .ts/.mts/.cts files, with sucrase: pure JavaScript (so the VSIX
// stays platform-neutral), fast, and it keeps every line where it was. The inline source map fixes columns
// too, and Node applies it to stack traces because the runner enables source maps.

export type ModuleKind = 'commonjs' | 'module';

export function transpileTypeScript(source: string, filePath: string, kind: ModuleKind): string {
  // sucrase is loaded with the first TypeScript file, not with the runner: a .js script never pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transform } = require('sucrase') as typeof import('sucrase');
  let result: ReturnType<typeof transform>;
  try {
    result = transform(source, {
      transforms: kind === 'commonjs' ? ['typescript', 'imports'] : ['typescript'],
      filePath,
      sourceMapOptions: { compiledFilename: filePath },
      production: true,
      keepUnusedImports: false,
    });
  } catch (e) {
    // The file the syntax error is in (an imported helper.ts, not always the script), for the error's location.
    if (e && typeof e === 'object') (e as { file?: string }).file = filePath;
    throw e;
  }
  const map = Buffer.from(JSON.stringify({ ...result.sourceMap, sources: [filePath], sourcesContent: [source] })).toString('base64');
  return `${result.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map}\n`;
}

export const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

export function isTypeScript(file: string): boolean {
  return TS_EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.endsWith('.d.ts');
}

/** The packages the debugger bundles: a script's request for one its project lacks gets the bundled copy. */
const BUNDLED = new Set(['tfjs', 'tfjs-core', 'tfjs-layers', 'tfjs-converter', 'tfjs-data', 'tfjs-backend-cpu', 'tfjs-backend-webgl', 'tfjs-backend-wasm']);

/** The specifier to resolve from the bundled tfjs, or null. tfjs-node (native) is not bundled: requiring it
 *  without it installed fails as it does under node, rather than quietly getting another tfjs. */
export function bundledTfjsTarget(specifier: string): string | null {
  const m = /^@tensorflow\/(tfjs(?:-[a-z-]+)?)(\/.*)?$/.exec(specifier);
  return m && BUNDLED.has(m[1]) ? specifier : null;
}
