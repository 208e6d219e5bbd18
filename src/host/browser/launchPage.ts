// Debugs the training that runs in a web page: starts a Chromium-family browser over the DevTools protocol
// (its pipe, no port: cdp.ts), injects the page agent before any page script runs, and folds the events the
// agent sends through a DevTools binding (only that page can call it) into a report, like a script run. The
// run ends when the page has sent nothing for `idleMs` and is not busy running its own code (idleWait.ts), when
// it closes, on Stop, or at the timeout. The page's dedicated workers get an agent too (a worker is held at its
// start until its agent is in). Places in the page (script URLs) are mapped back to files: file:// URLs
// directly, http(s) URLs under `root` (a dev server serves the project's files at their paths; Vite's /@fs/
// prefix is an absolute path).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AGENT_GLOBAL, BINDING, CHECK_WORKER_NAME, decodeEvent } from '../../protocol/pageWire.ts';
import type { RunError, RunReport, RunStatus } from '../../protocol/report.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../protocol/runOptions.ts';
import { isRunnerEvent, type RunnerEvent } from '../../protocol/runnerEvents.ts';
import { LiveReport } from '../liveReport.ts';
import { findBrowser } from './browsers.ts';
import { CdpConnection, type CdpPayload } from './cdp.ts';
import { IdleWait } from './idleWait.ts';
import { RecordedAgent } from './recordedAgent.ts';

export interface PageLaunchOptions {
  /** An http(s) URL, or an .html file. */
  target: string;
  /** The browser; by default the first Chrome, Chromium or Edge found. */
  browser?: string | null;
  headless?: boolean;
  /** End the run after this long without events from the page, once its thread is not busy (default 10 s). */
  idleMs?: number;
  timeoutMs?: number;
  options?: Partial<RunOptions>;
  /** Where a dev server serves the project from, to map script URLs to files (an .html target: its folder). */
  root?: string | null;
  /** The bundled page agent (dist/page-agent.js). */
  agentPath?: string;
  /** false: open the page without the agent (a plain run, to compare against: the bench, the tests). */
  inject?: boolean;
  onEvent?: (event: RunnerEvent) => void;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** The report to fold the page's events into (the extension's run made it, and its views read it); by default
   *  a new one. */
  live?: LiveReport;
  /** Called with the page's DevTools session before the page is opened (the bench profiles the page with it). */
  onPageSession?: (send: (method: string, params?: CdpPayload) => Promise<CdpPayload>) => Promise<void>;
}

export interface PageRunHandle {
  readonly done: Promise<{ report: RunReport }>;
  cancel(): void;
}

export class PageTargetError extends Error {}

/** The URL to open and the root for mapping sources back, from what the user gave. */
export function resolvePageTarget(target: string, root?: string | null): { url: string; root: string | null } {
  if (/^https?:\/\//i.test(target)) return { url: target, root: root ?? null };
  if (/^file:\/\//i.test(target)) return { url: target, root: root ?? path.dirname(fileURLToPath(target)) };
  const isFile = (f: string) => existsSync(f) && statSync(f).isFile();
  // A query or a fragment after the file (page.html?backend=cpu) goes to the page, when the whole is no file.
  const split = isFile(path.resolve(target)) ? null : /^(.*?)([?#].*)$/s.exec(target);
  const suffix = split?.[2] ?? '';
  const file = path.resolve(split?.[1] ?? target);
  if (!isFile(file)) throw new PageTargetError(`${target}: no such page. Give a URL (http://localhost:5173) or an .html file.`);
  if (!/\.html?$/i.test(file)) throw new PageTargetError(`${target}: not an .html file. Give a URL or an .html file.`);
  return { url: pathToFileURL(file).href + suffix, root: root ?? path.dirname(file) };
}

/** A place in the page (a script URL) as a file, where it can be found. */
export function pageUrlToFile(url: string, root: string | null): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'file:') return fileURLToPath(u);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && root) {
      const pathname = decodeURIComponent(u.pathname);
      const candidate = pathname.startsWith('/@fs/') ? pathname.slice('/@fs'.length) : path.join(root, pathname);
      if (existsSync(candidate)) return candidate;
    }
  } catch {
    // not a URL: leave it
  }
  return url;
}

/** Maps every source location ({file, line, column}) in an event to a file. */
function mapSources<T>(value: T, map: (url: string) => string): T {
  if (Array.isArray(value)) return value.map((v) => mapSources(v, map)) as T;
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = mapSources(v, map);
  if (typeof o.file === 'string' && typeof o.line === 'number' && typeof o.column === 'number') out.file = map(o.file);
  return out as T;
}

const DEFAULT_IDLE_MS = 10_000;
/** The agent's script as the page's DevTools name it. */
export const AGENT_SOURCE_URL = 'tfjs-debugger-page-agent.js';
/** Lines of that script before the agent bundle's first (the run's options: agentScriptFor). */
export const AGENT_SOURCE_LINE_OFFSET = 1;

/** What is injected: the run's options on a line of their own, then the agent bundle, named. */
function agentScriptFor(options: RunOptions, agentSource: string): string {
  return `globalThis.__tfjsDebuggerConfig = ${JSON.stringify({ options })};\n${agentSource}\n//# sourceURL=${AGENT_SOURCE_URL}`;
}
/** How long the page agent may take to send what is pending when the run ends. */
const FINISH_MS = 5_000;

/** A page whose tfjs the agent never saw: how to let it. */
export const NOT_ATTACHED = 'The page never showed the debugger its tfjs, so nothing was recorded. A page that loads tfjs by a ' +
  'script tag is found by itself; an app that bundles tfjs must hand it over: add tfjsDebugger() from ' +
  '"tfjs-model-debugger/vite" to the plugins in vite.config (or give tfjs-debug the app\'s folder), or call ' +
  'window.__tfjsDebugger?.attach(tf) once before training (self.__tfjsDebugger?.attach(tf) in a web worker that bundles tfjs; ' +
  'one that loads it with importScripts is found by itself) (README: "Training in a web page").';

/** Ends the browser and its helper processes (its process group). */
function killGroup(pid: number | undefined): void {
  if (pid == null) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Removes the run's browser profile; helper processes may hold it a moment longer, so it retries, and a
 *  profile that cannot go is left in the temp folder rather than failing the run. */
function removeProfile(dir: string, attempt = 0): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    if (attempt < 5) setTimeout(() => removeProfile(dir, attempt + 1), 500).unref();
  }
}

/** Starts the browser with the DevTools pipe on descriptors 3 and 4, on a blank page, in a profile of its own. */
function startBrowser(browser: string, profile: string, headless: boolean): { child: ChildProcess; exited: Promise<void> } {
  const args = [
    '--remote-debugging-pipe', `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps',
    ...(headless ? ['--headless=new', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : []),
    // Chromium refuses to run as root with its sandbox (containers, CI).
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    'about:blank',
  ];
  // Its own process group, so that ending the run ends the browser's helper processes too.
  const child = spawn(browser, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
  return { child, exited };
}

/** The page's (and its workers') console on the output, and its uncaught errors in the log too. */
function followConsole(cdp: CdpConnection, sessions: Set<string>, root: string | null, onOutput: PageLaunchOptions['onOutput'], log: (e: RunnerEvent) => void): void {
  cdp.on('Runtime.consoleAPICalled', (params, sessionId) => {
    if (!sessionId || !sessions.has(sessionId)) return;
    const text = (params.args ?? []).map((a: CdpPayload) => (a.value !== undefined ? String(a.value) : a.description ?? a.type)).join(' ');
    onOutput?.(`${text}\n`, params.type === 'error' || params.type === 'warning' ? 'stderr' : 'stdout');
  });
  cdp.on('Runtime.exceptionThrown', (params, sessionId) => {
    if (!sessionId || !sessions.has(sessionId)) return;
    const d = params.exceptionDetails ?? {};
    const text = d.exception?.description ?? d.text ?? 'an error';
    onOutput?.(`Uncaught ${text}\n`, 'stderr');
    log({ type: 'log', level: 'warn', message: `uncaught error in the page: ${String(text).split('\n')[0]}${d.url ? ` (${pageUrlToFile(d.url, root)}:${(d.lineNumber ?? 0) + 1})` : ''}` });
  });
}

/** A dedicated worker of the page (tfjs trained off the main thread) gets an agent of its own (unless
 *  `agentScript` is null) before its first script runs: the page's auto-attach holds each new worker until it is
 *  resumed. Its console is followed too. Anything else the page starts is resumed as it is, and so is the
 *  debugger's own worker. */
function followWorkers(cdp: CdpConnection, sessions: Set<string>, agentScript: string | null): void {
  cdp.on('Target.attachedToTarget', (params, parent) => {
    if (!parent || !sessions.has(parent)) return;
    const worker: string = params.sessionId;
    const resume = () => cdp.send('Runtime.runIfWaitingForDebugger', {}, worker).catch(() => undefined);
    // The debugger's own worker (the cross-backend check's) has nothing to record: it starts at once.
    if (params.targetInfo?.type !== 'worker' || params.targetInfo.title === CHECK_WORKER_NAME) return void resume();
    sessions.add(worker);
    void (async () => {
      await cdp.send('Runtime.enable', {}, worker);
      if (agentScript == null) return;
      await cdp.send('Runtime.addBinding', { name: BINDING }, worker);
      await cdp.send('Runtime.evaluate', { expression: agentScript }, worker);
    })().catch(() => undefined).then(resume);
  });
}

export function launchPage(opts: PageLaunchOptions): PageRunHandle {
  const { url, root } = resolvePageTarget(opts.target, opts.root);
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, ...opts.options };
  const report = opts.live ?? new LiveReport(url, [], options);
  const agentSource = readFileSync(opts.agentPath ?? path.join(__dirname, 'page-agent.js'), 'utf8');
  // Named, so that the page's DevTools (stacks, profiles) show the agent's code as the agent's.
  const agentScript = agentScriptFor(options, agentSource);
  const browser = findBrowser(opts.browser);
  const profile = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-browser-'));
  const { child, exited } = startBrowser(browser, profile, opts.headless === true);
  let ended = false;
  let timeout: NodeJS.Timeout | undefined;
  let resolveDone: (r: { report: RunReport }) => void = () => undefined;
  const done = new Promise<{ report: RunReport }>((resolve) => { resolveDone = resolve; });
  const cdp = new CdpConnection(child.stdio[3] as Writable, child.stdio[4] as Readable, () => void end('completed'));
  let session: string | undefined;
  /** The page's session and its dedicated workers' (each with an agent of its own). */
  const sessions = new Set<string>();
  const accept = (event: RunnerEvent) => {
    const mapped = mapSources(event, (u) => pageUrlToFile(u, root));
    // The run is the page's, also when a worker of it trains.
    report.apply(mapped.type === 'run-start' ? { ...mapped, target: url } : mapped);
    opts.onEvent?.(mapped);
  };
  /** Which agent's events the report gets. */
  const agents = new RecordedAgent(accept);
  const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  const idle = new IdleWait(idleMs, {
    // The recorded agent's thread; before one trains, every thread of the page's (its own and its workers'): a
    // worker busy preparing its data is not idle, though the page's thread is.
    ask: () => {
      const evaluateZero = (on: string) => cdp.send('Runtime.evaluate', { expression: '0' }, on);
      return agents.session ? evaluateZero(agents.session) : Promise.all([...sessions].map((on) => evaluateZero(on).catch(() => undefined)));
    },
    idle: () => void end('completed'),
    busy: () => opts.onOutput?.(`tfjs-debug: the page has sent nothing for ${idleMs / 1000} s, but it is still running its own code; the run waits until it yields (stop the run, or give it a timeout, to end it sooner).\n`, 'stderr'),
  });

  async function end(status: Exclude<RunStatus, 'running'>, message?: string): Promise<void> {
    if (ended) return;
    ended = true;
    if (status === 'completed' && agents.settle() == null) return shutDown('failed', NOT_ATTACHED, 'usage');
    return shutDown(status, message);
  }

  async function shutDown(status: Exclude<RunStatus, 'running'>, message?: string, kind?: RunError['kind']): Promise<void> {
    idle.stop();
    if (timeout) clearTimeout(timeout);
    // What waited for an agent to train, first (the run's start); then the host's ending: the agent's run-end
    // then adds the memory figures without changing the status.
    const recorded = agents.settle();
    report.end(status, message ? { ...(kind ? { kind } : {}), message, file: url, line: null } : null, status === 'completed' ? 0 : null);
    if (recorded) {
      // What the page (or its worker) still holds (a probed call waiting for its optimizer step, values on their
      // way from the device), then run-end. A page stuck in a loop never answers: the run ends without them.
      const finish = cdp.send('Runtime.evaluate', { expression: `globalThis.${AGENT_GLOBAL} && globalThis.${AGENT_GLOBAL}.finish()`, awaitPromise: true }, recorded);
      await Promise.race([finish.catch(() => undefined), new Promise((r) => setTimeout(r, FINISH_MS))]);
    }
    await Promise.race([cdp.send('Browser.close').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    cdp.close();
    killGroup(child.pid);
    await exited;
    removeProfile(profile);
    resolveDone({ report: report.finish() });
  }

  cdp.on('Runtime.bindingCalled', (params, sessionId) => {
    if (!sessionId || !sessions.has(sessionId) || params.name !== BINDING || typeof params.payload !== 'string') return;
    let event: unknown;
    try {
      event = decodeEvent(params.payload);
    } catch {
      return;
    }
    if (!isRunnerEvent(event)) return;
    // What the agent sends while the run ends (its finish()) starts no new wait: the wait is stopped by then.
    idle.restart();
    agents.event(event, sessionId);
  });
  followConsole(cdp, sessions, root, opts.onOutput, accept);
  cdp.on('Target.detachedFromTarget', (params) => {
    if (params.sessionId === session) void end('completed');
    else sessions.delete(params.sessionId);
  });
  followWorkers(cdp, sessions, opts.inject === false ? null : agentScript);
  child.on('exit', () => void end('completed'));
  child.on('error', (e) => void end('failed', `Could not start the browser ${browser}: ${e.message}`));

  (async () => {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const page = (targetInfos as CdpPayload[]).find((t) => t.type === 'page');
    const targetId = page ? page.targetId : (await cdp.send('Target.createTarget', { url: 'about:blank' })).targetId;
    const pageSession: string = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })).sessionId;
    session = pageSession;
    sessions.add(pageSession);
    await cdp.send('Runtime.enable', {}, session);
    await cdp.send('Page.enable', {}, session);
    await cdp.send('Runtime.addBinding', { name: BINDING }, session);
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, session);
    if (opts.onPageSession) await opts.onPageSession((method, params) => cdp.send(method, params ?? {}, pageSession));
    if (opts.inject !== false) await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: agentScript }, session);
    idle.restart();
    if (opts.timeoutMs && opts.timeoutMs > 0) {
      timeout = setTimeout(() => void end('timed-out', `The page was still training after ${Math.round((opts.timeoutMs as number) / 1000)} s; the run was stopped.`), opts.timeoutMs);
    }
    const nav = await cdp.send('Page.navigate', { url }, session);
    if (nav.errorText) await end('failed', `${url} could not be opened: ${nav.errorText}`);
  })().catch((e) => void end('failed', `The debugger could not drive the browser: ${e instanceof Error ? e.message : String(e)}`));

  return { done, cancel: () => void end('cancelled', 'The run was stopped.') };
}
