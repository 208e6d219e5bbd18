// The tfjsDebugger.* settings, checked, and how a run request becomes launchRunner options. Also the
// Workspace Trust rule. Pure: no vscode import (the extension passes a getter over its configuration).
import { DEFAULT_PROBE_BUDGET, type AttributionMode, type RunOptions } from '../../protocol/runOptions.ts';
import type { LaunchOptions } from '../../host/launch.ts';
import type { RunKind, RunRequest } from './runStore.ts';

export interface DebuggerSettings {
  probeEvery: number;
  /** Share of the training time probes may take; 0: no limit. */
  probeBudget: number;
  attribution: AttributionMode;
  lossGapTolerance: number;
  timeoutSeconds: number;
  historySize: number;
  nodePath: string;
  memoryLimitMb: number;
  /** Where a script's output goes: the Terminal panel (colours, Ctrl-C), or the output channel. */
  scriptOutput: 'terminal' | 'outputChannel';
  /** Training pages: the browser (empty: the first Chrome, Chromium or Edge found), without a window or not, and
   *  how long a page may send nothing before its run ends. */
  pageBrowser: string;
  pageHeadless: boolean;
  pageIdleSeconds: number;
}

/** The setting (under tfjsDebugger.) each field is read from. */
export const SETTING_KEYS: Record<keyof DebuggerSettings, string> = {
  probeEvery: 'probeEvery', probeBudget: 'probeBudget', attribution: 'attribution', lossGapTolerance: 'lossGapTolerance',
  timeoutSeconds: 'timeoutSeconds', historySize: 'historySize', nodePath: 'nodePath', memoryLimitMb: 'memoryLimitMB',
  scriptOutput: 'scriptOutput', pageBrowser: 'browserPath', pageHeadless: 'page.headless', pageIdleSeconds: 'page.idleSeconds',
};

export const DEFAULT_SETTINGS: DebuggerSettings = {
  probeEvery: 10,
  probeBudget: DEFAULT_PROBE_BUDGET,
  attribution: 'auto',
  lossGapTolerance: 1e-4,
  timeoutSeconds: 0,
  historySize: 1000,
  nodePath: '',
  memoryLimitMb: 4096,
  scriptOutput: 'terminal',
  pageBrowser: '',
  pageHeadless: false,
  pageIdleSeconds: 10,
};

/** Reads each setting (by its name under tfjsDebugger.) through `get`, keeping the default for a missing or
 *  out-of-range value. */
export function readSettings(getSetting: (key: string) => unknown): DebuggerSettings {
  const get = (field: keyof DebuggerSettings) => getSetting(SETTING_KEYS[field]);
  const int = (key: keyof DebuggerSettings, min: number, max: number) => {
    const v = get(key);
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : (DEFAULT_SETTINGS[key] as number);
  };
  const tol = get('lossGapTolerance');
  const budget = get('probeBudget');
  const attribution = get('attribution');
  const nodePath = get('nodePath');
  const browser = get('pageBrowser');
  const headless = get('pageHeadless');
  return {
    probeEvery: int('probeEvery', 0, 1_000_000),
    probeBudget: typeof budget === 'number' && Number.isFinite(budget) && budget >= 0 && budget <= 1 ? budget : DEFAULT_SETTINGS.probeBudget,
    attribution: attribution === 'auto' || attribution === 'always' || attribution === 'off' ? attribution : DEFAULT_SETTINGS.attribution,
    lossGapTolerance: typeof tol === 'number' && Number.isFinite(tol) && tol >= 0 ? tol : DEFAULT_SETTINGS.lossGapTolerance,
    timeoutSeconds: int('timeoutSeconds', 0, 7 * 24 * 3600),
    historySize: int('historySize', 2, 1_000_000),
    nodePath: typeof nodePath === 'string' ? nodePath.trim() : '',
    memoryLimitMb: int('memoryLimitMb', 256, 1_048_576),
    scriptOutput: get('scriptOutput') === 'outputChannel' ? 'outputChannel' : 'terminal',
    pageBrowser: typeof browser === 'string' ? browser.trim() : '',
    pageHeadless: typeof headless === 'boolean' ? headless : DEFAULT_SETTINGS.pageHeadless,
    pageIdleSeconds: int('pageIdleSeconds', 1, 3600),
  };
}

/** The editor surfaces a user may turn off. */
export interface EditorSettings {
  hovers: boolean;
  codeLens: boolean;
}

export function readEditorSettings(getSetting: (key: string) => unknown): EditorSettings {
  const flag = (key: string) => getSetting(key) !== false;
  return { hovers: flag('hovers.enabled'), codeLens: flag('codeLens.enabled') };
}

export interface HostInfo {
  /** process.execPath of the extension host: Electron in desktop VS Code, node in code-server. */
  execPath: string;
  env: NodeJS.ProcessEnv;
  /** The extension's dist folder (runner.js, esm-hooks.mjs). */
  distDir: string;
}

/** The run options part of the settings. */
export function runOptionsFrom(settings: DebuggerSettings): Partial<RunOptions> {
  return {
    probeEvery: settings.probeEvery,
    probeBudget: settings.probeBudget,
    historySize: settings.historySize,
    lossGapTolerance: settings.lossGapTolerance,
    attribution: settings.attribution,
  };
}

/** launchRunner options for a script or probe request, without the callbacks. */
export function launchOptionsFor(request: RunRequest, settings: DebuggerSettings, host: HostInfo): LaunchOptions {
  const ownNode = settings.nodePath === '';
  return {
    kind: request.kind === 'probe' ? 'probe' : 'script',
    script: request.target,
    ...(request.kind === 'probe' && request.dataFile ? { dataFile: request.dataFile } : {}),
    args: [...request.args],
    cwd: request.cwd,
    options: runOptionsFrom(settings),
    timeoutMs: settings.timeoutSeconds * 1000,
    stdio: 'pipe',
    // VS Code's own binary runs as plain Node with ELECTRON_RUN_AS_NODE; in code-server it is node already.
    execPath: ownNode ? host.execPath : settings.nodePath,
    env: ownNode ? { ...host.env, ...request.env, ELECTRON_RUN_AS_NODE: '1' } : { ...host.env, ...request.env },
    memoryLimitMb: settings.memoryLimitMb,
    distDir: host.distDir,
  };
}

/** Why a request may not run in this workspace, or null when it may. */
export function trustRefusal(kind: RunKind, workspaceTrusted: boolean): string | null {
  if (workspaceTrusted || kind === 'probe') return null;
  const what = kind === 'page'
    ? 'did not open the page: debugging a training page runs its code (and a Vite app\'s config)'
    : 'did not run the script: debugging a training script runs its code';
  return `TF.js Debugger ${what}, and this workspace is not trusted. Probing a saved model (model.json) still works, ` +
    `since it runs no code from the workspace. Trust the workspace to debug ${kind === 'page' ? 'pages' : 'scripts'}.`;
}
