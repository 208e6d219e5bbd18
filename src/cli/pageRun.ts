// tfjs-debug page: a web page that trains with tfjs, debugged in a Chromium-family browser (src/host/browser).
// The target is a URL, an .html file, or a Vite app's folder, which is served by the app's own Vite with the
// debugger's plugin added for the run.
import { existsSync, statSync } from 'node:fs';
import type { RunReport } from '../protocol/report.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { BrowserNotFound, findBrowser } from '../host/browser/browsers.ts';
import { launchPage, PageTargetError } from '../host/browser/launchPage.ts';
import { isViteApp, startViteServer, ViteNotFound, type DevServer } from '../host/browser/viteServer.ts';
import { UsageError } from '../model/errors.ts';
import type { CliRun } from './args.ts';

export interface PageRun {
  /** What was opened, in which browser, for the user. */
  readonly opened: string;
  readonly done: Promise<{ report: RunReport }>;
  stop(): void;
}

export interface PageRunHooks {
  onEvent(event: RunnerEvent): void;
  onOutput(text: string, stream: 'stdout' | 'stderr'): void;
}

/** Whether a browser window can open here: not on a Linux machine without a display (CI, a server, a container). */
function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BrowserNotFound || e instanceof PageTargetError || e instanceof ViteNotFound) throw new UsageError(e.message);
    throw e;
  }
}

async function serveIfViteApp(target: string): Promise<DevServer | null> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || !existsSync(target) || !statSync(target).isDirectory()) return null;
  if (!isViteApp(target)) {
    throw new UsageError(`${target} is a folder but not a Vite app (it has no vite.config or index.html). Give a URL, an .html file, or a Vite app's folder.`);
  }
  try {
    return await startViteServer(target);
  } catch (e) {
    if (e instanceof ViteNotFound) throw new UsageError(e.message);
    throw new UsageError(`${target}: its Vite dev server did not start: ${(e as Error).message.split('\n')[0]}`);
  }
}

export async function startPageRun(cli: CliRun, hooks: PageRunHooks): Promise<PageRun> {
  const browser = asUsage(() => findBrowser(cli.browser));
  const headless = cli.headless ?? !hasDisplay();
  const server = await serveIfViteApp(cli.script);
  try {
    const handle = asUsage(() => launchPage({
      target: server?.url ?? cli.script,
      root: server?.root ?? null,
      browser,
      headless,
      idleMs: cli.untilIdleSeconds * 1000,
      timeoutMs: cli.timeoutSeconds * 1000,
      options: { probeEvery: cli.probeEvery, probeBudget: cli.probeBudget, historySize: cli.history, lossGapTolerance: cli.tolerance, attribution: cli.attribution, backendCheck: cli.backendCheck },
      onEvent: hooks.onEvent,
      onOutput: hooks.onOutput,
    }));
    const done = handle.done.finally(() => server?.close());
    const page = server ? `${cli.script} (served by its Vite at ${server.url})` : cli.script;
    return { opened: `${page} in ${browser}${headless ? ' (headless)' : ''}`, done, stop: () => handle.cancel() };
  } catch (e) {
    await server?.close();
    throw e;
  }
}
