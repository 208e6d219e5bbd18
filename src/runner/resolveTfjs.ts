// Finds the tfjs the user's script will load: their own installed copy when their project has one (so their
// version and backend are kept), else the bundled tfjs 4.22, to which @tensorflow/* requests are redirected.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../model/errors.ts';
import type { TfjsSource } from '../protocol/report.ts';
import { moduleInternals } from './moduleInternals.ts';
import { bundledTfjsTarget } from './transpile.ts';

export const SUPPORTED_TFJS = { major: 4, range: '>=4.0.0 <5.0.0' };

export interface ResolvedTfjs {
  source: TfjsSource;
  /** Entry file of tfjs-core and tfjs-layers (null when the project uses tfjs-core alone). */
  corePath: string;
  layersPath: string | null;
  /** The package the bundled case loads first, so that it registers its backends: @tensorflow/tfjs. */
  entryPath: string | null;
  version: string;
}

/** The project's tfjs cannot be used (an unsupported version, a broken install). */
class TfjsResolutionError extends UsageError {}

function resolveFrom(fromDir: string, id: string): string | null {
  try {
    return createRequire(path.join(fromDir, '__tfjs_debugger__.js')).resolve(id);
  } catch {
    return null;
  }
}

function packageRoot(entry: string, name: string): string {
  const marker = path.join('node_modules', ...name.split('/'));
  const i = entry.lastIndexOf(marker);
  return i >= 0 ? entry.slice(0, i + marker.length) : path.dirname(path.dirname(entry));
}

function versionOf(entry: string, name: string): string {
  const pkg = path.join(packageRoot(entry, name), 'package.json');
  return existsSync(pkg) ? String(JSON.parse(readFileSync(pkg, 'utf8')).version) : 'unknown';
}

/** Where the user's script would find tfjs: directly, or through the tfjs package it depends on. */
function resolveWorkspace(scriptDir: string): ResolvedTfjs | null {
  const anchors = [scriptDir];
  for (const id of ['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    const entry = resolveFrom(scriptDir, id);
    if (entry) anchors.push(path.dirname(entry));
  }
  const find = (id: string) => anchors.map((a) => resolveFrom(a, id)).find((p): p is string => p != null) ?? null;
  const corePath = find('@tensorflow/tfjs-core');
  if (!corePath) return null;
  return {
    source: 'workspace',
    corePath,
    layersPath: find('@tensorflow/tfjs-layers'),
    entryPath: resolveFrom(scriptDir, '@tensorflow/tfjs'),
    version: versionOf(corePath, '@tensorflow/tfjs-core'),
  };
}

/** The user's tfjs when the script's project has one, else the bundled one; `scriptDir` null: bundled. */
export function resolveTfjs(scriptDir: string | null, debuggerRoot: string): ResolvedTfjs {
  const resolved = (scriptDir ? resolveWorkspace(scriptDir) : null) ?? resolveBundled(debuggerRoot);
  const major = Number(resolved.version.split('.')[0]);
  if (major !== SUPPORTED_TFJS.major) {
    throw new TfjsResolutionError(
      `This project uses @tensorflow/tfjs-core ${resolved.version} (${packageRoot(resolved.corePath, '@tensorflow/tfjs-core')}), ` +
      `but the debugger supports tfjs ${SUPPORTED_TFJS.range}. Install a 4.x version (npm install @tensorflow/tfjs@4).`,
    );
  }
  return resolved;
}

function resolveBundled(debuggerRoot: string): ResolvedTfjs {
  const corePath = resolveFrom(debuggerRoot, '@tensorflow/tfjs-core');
  if (!corePath) throw new TfjsResolutionError(`The debugger's bundled tfjs is missing under ${debuggerRoot}: reinstall the extension or run npm ci.`);
  return {
    source: 'bundled',
    corePath,
    layersPath: resolveFrom(debuggerRoot, '@tensorflow/tfjs-layers'),
    entryPath: resolveFrom(debuggerRoot, '@tensorflow/tfjs'),
    version: versionOf(corePath, '@tensorflow/tfjs-core'),
  };
}

/** Redirects the user's @tensorflow/* requires that their project cannot resolve to the bundled copies. */
export function installBundledFallback(debuggerRoot: string): { esmParentURL: string; uninstall: () => void } {
  const bundledRequire = createRequire(path.join(debuggerRoot, 'package.json'));
  const M = moduleInternals;
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    try {
      return original.call(this, request, ...rest);
    } catch (error) {
      const target = (error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' ? bundledTfjsTarget(request) : null;
      if (target) return bundledRequire.resolve(target);
      throw error;
    }
  };
  return {
    esmParentURL: pathToFileURL(path.join(debuggerRoot, 'package.json')).href,
    uninstall: () => { M._resolveFilename = original; },
  };
}
