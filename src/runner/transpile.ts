// TypeScript to JavaScript for the user's .ts/.mts/.cts files, with sucrase: pure JavaScript (so the VSIX
// stays platform-neutral), fast, and it keeps every line where it was. The inline source map fixes columns
// too, and Node applies it to stack traces because the runner enables source maps.
import { transform } from 'sucrase';

export type ModuleKind = 'commonjs' | 'module';

export function transpileTypeScript(source: string, filePath: string, kind: ModuleKind): string {
  const result = transform(source, {
    transforms: kind === 'commonjs' ? ['typescript', 'imports'] : ['typescript'],
    filePath,
    sourceMapOptions: { compiledFilename: filePath },
    production: true,
    keepUnusedImports: false,
  });
  const map = Buffer.from(JSON.stringify({ ...result.sourceMap, sources: [filePath], sourcesContent: [source] })).toString('base64');
  return `${result.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map}\n`;
}

export const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

export function isTypeScript(file: string): boolean {
  return TS_EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.endsWith('.d.ts');
}

/** Packages the runner redirects to its bundled tfjs when the user's project does not have them. */
export function bundledTfjsTarget(specifier: string): string | null {
  const m = /^@tensorflow\/(tfjs(?:-[a-z-]+)?)(\/.*)?$/.exec(specifier);
  if (!m) return null;
  const name = m[1];
  if (name === 'tfjs-node' || name === 'tfjs-node-gpu') return '@tensorflow/tfjs' + (m[2] ?? '');
  return specifier;
}
