// `"type": "tfjs-debug"` launch configurations (launch.json, F5): what they may say, checked, and the run request
// they make. A configuration names a script (`program`, with `args`, `env`, `cwd`), or a training page (`url`: a
// URL, an .html file or a Vite app's folder); probe settings in it override the workspace's for that run.
// VS Code substitutes ${workspaceFolder} and the like before this sees the configuration. Pure: no vscode import.
import * as path from 'node:path';
import type { RunRequest } from './runStore.ts';

export const DEBUG_TYPE = 'tfjs-debug';

/** Launch attributes that are settings (tfjsDebugger.<name>) for the run. */
export const SETTING_ATTRIBUTES = ['probeEvery', 'probeBudget', 'attribution', 'lossGapTolerance', 'timeoutSeconds', 'historySize', 'memoryLimitMB'] as const;

export interface LaunchConfig {
  type?: unknown;
  request?: unknown;
  name?: unknown;
  program?: unknown;
  url?: unknown;
  args?: unknown;
  env?: unknown;
  cwd?: unknown;
  [key: string]: unknown;
}

export type LaunchTarget =
  | { kind: 'script'; program: string }
  | { kind: 'page'; target: string; page: 'url' | 'file' | 'folder' };

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The run a launch configuration asks for, or why it cannot run. `isFolder` tells a Vite app's folder from a file. */
export function requestFromLaunchConfig(config: LaunchConfig, workspaceFolder: string | null, isFolder: (p: string) => boolean): { request: RunRequest } | { error: string } {
  const name = typeof config.name === 'string' ? `"${config.name}"` : 'The launch configuration';
  const hasProgram = typeof config.program === 'string' && config.program.trim() !== '';
  const hasUrl = typeof config.url === 'string' && config.url.trim() !== '';
  if (hasProgram === hasUrl) return { error: `${name} needs either "program" (a training script) or "url" (a training page: a URL, an .html file or a Vite app's folder), not ${hasProgram ? 'both' : 'neither'}.` };
  if (config.args !== undefined && !isStringArray(config.args)) return { error: `${name}: "args" must be an array of strings.` };
  if (config.env !== undefined && (typeof config.env !== 'object' || config.env === null || Array.isArray(config.env) || !Object.values(config.env).every((v) => typeof v === 'string'))) {
    return { error: `${name}: "env" must be an object of strings.` };
  }
  if (config.cwd !== undefined && typeof config.cwd !== 'string') return { error: `${name}: "cwd" must be a folder path.` };
  const base = workspaceFolder ?? process.cwd();
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.resolve(base, p));
  const cwd = typeof config.cwd === 'string' && config.cwd ? resolve(config.cwd) : workspaceFolder;
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_ATTRIBUTES) if (config[key] !== undefined) settings[key] = config[key];
  const extra = {
    ...(config.env ? { env: { ...(config.env as Record<string, string>) } } : {}),
    ...(Object.keys(settings).length ? { settings } : {}),
  };
  if (hasProgram) {
    const program = resolve((config.program as string).trim());
    return { request: { kind: 'script', target: program, args: [...((config.args as string[] | undefined) ?? [])], cwd: cwd ?? path.dirname(program), ...extra } };
  }
  const url = (config.url as string).trim();
  if (/^https?:\/\//i.test(url)) {
    return { request: { kind: 'page', target: url, args: [], cwd: cwd ?? base, ...(workspaceFolder ? { pageRoot: cwd ?? workspaceFolder } : {}), ...extra } };
  }
  const file = resolve(url.replace(/^file:\/\//i, ''));
  if (isFolder(file)) return { request: { kind: 'page', target: file, args: [], cwd: file, viteApp: file, ...extra } };
  if (!/\.html?$/i.test(file)) return { error: `${name}: "url" must be an http(s) URL, an .html file or a Vite app's folder; ${url} is none of those.` };
  return { request: { kind: 'page', target: file, args: [], cwd: cwd ?? path.dirname(file), pageRoot: path.dirname(file), ...extra } };
}

/** The configuration F5 makes with no launch.json: the active editor's script. */
export function defaultLaunchConfig(activeFile: string | null): LaunchConfig | null {
  if (!activeFile || !/\.(c|m)?(j|t)s$/i.test(activeFile)) return null;
  return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(activeFile)} with TF.js Debugger`, program: activeFile };
}
