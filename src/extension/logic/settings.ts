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
}

export const DEFAULT_SETTINGS: DebuggerSettings = {
  probeEvery: 10,
  probeBudget: DEFAULT_PROBE_BUDGET,
  attribution: 'auto',
  lossGapTolerance: 1e-4,
  timeoutSeconds: 0,
  historySize: 1000,
  nodePath: '',
  memoryLimitMb: 4096,
};

/** Reads each setting through `get`, keeping the default for a missing or out-of-range value. */
export function readSettings(get: (key: keyof DebuggerSettings) => unknown): DebuggerSettings {
  const int = (key: keyof DebuggerSettings, min: number, max: number) => {
    const v = get(key);
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : (DEFAULT_SETTINGS[key] as number);
  };
  const tol = get('lossGapTolerance');
  const budget = get('probeBudget');
  const attribution = get('attribution');
  const nodePath = get('nodePath');
  return {
    probeEvery: int('probeEvery', 0, 1_000_000),
    probeBudget: typeof budget === 'number' && Number.isFinite(budget) && budget >= 0 && budget <= 1 ? budget : DEFAULT_SETTINGS.probeBudget,
    attribution: attribution === 'auto' || attribution === 'always' || attribution === 'off' ? attribution : DEFAULT_SETTINGS.attribution,
    lossGapTolerance: typeof tol === 'number' && Number.isFinite(tol) && tol >= 0 ? tol : DEFAULT_SETTINGS.lossGapTolerance,
    timeoutSeconds: int('timeoutSeconds', 0, 7 * 24 * 3600),
    historySize: int('historySize', 2, 1_000_000),
    nodePath: typeof nodePath === 'string' ? nodePath.trim() : '',
    memoryLimitMb: int('memoryLimitMb', 256, 1_048_576),
  };
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

/** launchRunner options for a request, without the callbacks. */
export function launchOptionsFor(request: RunRequest, settings: DebuggerSettings, host: HostInfo): LaunchOptions {
  const ownNode = settings.nodePath === '';
  return {
    kind: request.kind,
    script: request.target,
    ...(request.kind === 'probe' && request.dataFile ? { dataFile: request.dataFile } : {}),
    args: [...request.args],
    cwd: request.cwd,
    options: runOptionsFrom(settings),
    timeoutMs: settings.timeoutSeconds * 1000,
    stdio: 'pipe',
    // VS Code's own binary runs as plain Node with ELECTRON_RUN_AS_NODE; in code-server it is node already.
    execPath: ownNode ? host.execPath : settings.nodePath,
    env: ownNode ? { ...host.env, ELECTRON_RUN_AS_NODE: '1' } : { ...host.env },
    memoryLimitMb: settings.memoryLimitMb,
    distDir: host.distDir,
  };
}

/** Why a request may not run in this workspace, or null when it may. */
export function trustRefusal(kind: RunKind, workspaceTrusted: boolean): string | null {
  if (workspaceTrusted || kind === 'probe') return null;
  return 'TF.js Debugger did not run the script: debugging a training script runs its code, and this workspace is not ' +
    'trusted. Probing a saved model (model.json) still works, since it runs no code from the workspace. Trust the ' +
    'workspace to debug scripts.';
}
