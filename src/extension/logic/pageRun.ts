// A training page's run, started like a script's: launchPage (host/browser) folds the page's events into the
// run's own report, and the run is held by the RunSlot through the same handle a runner has (done, cancel,
// interrupt). For a Vite app, its dev server is started first, in a process of its own (dist/vite-server.js:
// the app's vite.config never runs in the extension host), and closed when the run ends. No vscode import.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { LaunchResult, RunHandle } from '../../host/launch.ts';
import type { LiveReport } from '../../host/liveReport.ts';
import { launchPage, type PageRunHandle } from '../../host/browser/launchPage.ts';
import type { RunOptions } from '../../protocol/runOptions.ts';
import type { RunRequest } from './runStore.ts';
import type { DebuggerSettings, HostInfo } from './settings.ts';

export interface DevServerProcess {
  url: string;
  root: string;
  close(): void;
}

/** The Node that runs the debugger's own processes: the nodePath setting, else VS Code's (as Node). */
function nodeFor(settings: DebuggerSettings, host: HostInfo): { execPath: string; env: NodeJS.ProcessEnv } {
  return settings.nodePath === ''
    ? { execPath: host.execPath, env: { ...host.env, ELECTRON_RUN_AS_NODE: '1' } }
    : { execPath: settings.nodePath, env: { ...host.env } };
}

/** Starts a Vite app's dev server in its own process group; resolves once it listens. */
export function startDevServer(app: string, settings: DebuggerSettings, host: HostInfo, onOutput: (text: string) => void): Promise<DevServerProcess> {
  const { execPath, env } = nodeFor(settings, host);
  const child = spawn(execPath, [path.join(host.distDir, 'vite-server.js'), app], {
    cwd: app, env, stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32',
  });
  const close = () => {
    try {
      if (child.pid != null && child.exitCode == null) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  };
  child.stderr?.setEncoding('utf8').on('data', (text: string) => onOutput(text));
  return new Promise((resolve, reject) => {
    let line = '';
    child.on('error', (e) => reject(new Error(`Could not start the Vite dev server: ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`The Vite dev server of ${app} exited (${code ?? 'signal'}) before it listened.`)));
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      line += text;
      const end = line.indexOf('\n');
      if (end < 0) return;
      let reply: { url?: unknown; root?: unknown; error?: unknown } = {};
      try {
        reply = JSON.parse(line.slice(0, end));
      } catch {
        // not the line it prints: reported below
      }
      if (typeof reply.url === 'string' && typeof reply.root === 'string') resolve({ url: reply.url, root: reply.root, close });
      else {
        close();
        reject(new Error(typeof reply.error === 'string' ? reply.error : `The Vite dev server of ${app} did not say where it listens.`));
      }
    });
  });
}

export interface PageRunOptions {
  request: RunRequest;
  settings: DebuggerSettings;
  host: HostInfo;
  options: Partial<RunOptions>;
  live: LiveReport;
  onOutput(text: string): void;
}

/** Starts a page run (its dev server first, for a Vite app) and hands back a runner-like handle. */
export function startPageRun(o: PageRunOptions): RunHandle {
  let cancelled = false;
  let page: PageRunHandle | null = null;
  let server: DevServerProcess | null = null;
  const fail = (message: string): LaunchResult => {
    o.live.end('failed', { message, file: o.request.target, line: null, kind: 'usage' }, null);
    return { report: o.live.finish(), exitCode: null, signal: null };
  };
  const done = (async (): Promise<LaunchResult> => {
    try {
      if (o.request.viteApp) server = await startDevServer(o.request.viteApp, o.settings, o.host, o.onOutput);
      if (cancelled) {
        o.live.end('cancelled', { message: 'The run was stopped.', file: null, line: null }, null);
        return { report: o.live.finish(), exitCode: null, signal: null };
      }
      if (server) o.onOutput(`Vite dev server at ${server.url}\n`);
      page = launchPage({
        target: server?.url ?? o.request.target, root: server?.root ?? o.request.pageRoot ?? null, live: o.live,
        browser: o.settings.pageBrowser || null, headless: o.settings.pageHeadless, idleMs: o.settings.pageIdleSeconds * 1000,
        timeoutMs: o.settings.timeoutSeconds * 1000, options: o.options, agentPath: path.join(o.host.distDir, 'page-agent.js'),
        onOutput: (text) => o.onOutput(text),
      });
      const { report } = await page.done;
      return { report, exitCode: null, signal: null };
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    } finally {
      server?.close();
    }
  })();
  const cancel = () => {
    cancelled = true;
    page?.cancel();
  };
  return { pid: undefined, done, cancel, interrupt: cancel };
}
