// The code fixes (src/fixes) hold the TypeScript compiler (several MB), so they are a bundle of their own,
// dist/fixes.js, required on the first code action that needs them, never at activation.
import * as path from 'node:path';
import type * as SourceFixes from '../fixes/sourceFixes.ts';

export type FixesModule = Pick<typeof SourceFixes, 'fixesFor'>;

let loaded: FixesModule | null = null;

export function loadFixes(distDir: string): FixesModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, loaded on first use (see above)
  loaded ??= require(path.join(distDir, 'fixes.js')) as FixesModule;
  return loaded;
}
