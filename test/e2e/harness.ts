// End-to-end harness: the packaged extension in a real VS Code (code-server) driven by Debian's Chromium.
//
// prepare(): packages the VSIX (`npm run package`, skipped when no input changed since the last one), sets
// up code-server (scripts/e2e/setup-code-server.sh, cached) and installs the VSIX once into a template
// extensions folder. startSession(): copies that template into a fresh extensions folder, lays out a fixture
// workspace in the system temp folder (no node_modules above it, so the runner resolves tfjs to the
// extension's own bundled copy), starts code-server on a free loopback port and opens Chromium on it.
//
// Every process started here is recorded by PID and stopped by its process group, with its descendants
// (the extension host, the runner and the runner's own process group): in Session.stop(), and on process
// exit or a signal, even when a test fails or times out. A failed scenario leaves a screenshot, the
// code-server log and VS Code's logs (extension host, output channels) under test-results/e2e/<name>/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS = path.join(ROOT, 'test-results', 'e2e');
const BUILD = path.join(RESULTS, '.build');
const FIXTURES = path.join(__dirname, 'fixtures');
export const VSIX_NAME = 'tfjs-model-debugger.vsix';
export const EXTENSION_ID = 'tfjs-model-debugger.tfjs-model-debugger';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-dev-shm-usage', '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows',
];

/** Milliseconds since this process started the harness, for the timing lines. */
const T0 = Date.now();
export function log(message: string): void {
  process.stderr.write(`[e2e ${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

// ---- processes ------------------------------------------------------------------------------------------

/** Process-group leaders this harness started; killed on exit whatever happens. */
const owned = new Set<number>();
/** Session folders not yet stopped: on an abrupt exit their code-server log is kept and the folder removed. */
const openSessions = new Map<string, { name: string; log: string }>();

/** PIDs of every live descendant of pid (from /proc), deepest last. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses; split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // already gone
  }
}

/** Kills a process group we started and every descendant (some run in process groups of their own). */
function killTreeSync(leader: number): void {
  const tree = descendants(leader);
  signal(leader, 'SIGKILL', true);
  for (const pid of tree) {
    signal(pid, 'SIGKILL', true);
    signal(pid, 'SIGKILL', false);
  }
  owned.delete(leader);
}

/** SIGTERM to the group, then SIGKILL to it and its descendants after graceMs. */
async function stopTree(leader: number, graceMs = 3000): Promise<void> {
  const tree = descendants(leader);
  signal(leader, 'SIGTERM', true);
  const until = Date.now() + graceMs;
  while (alive(leader) && Date.now() < until) await sleep(100);
  signal(leader, 'SIGKILL', true);
  for (const pid of [...tree, ...descendants(leader)]) {
    signal(pid, 'SIGKILL', true);
    signal(pid, 'SIGKILL', false);
  }
  owned.delete(leader);
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pid of [...owned]) killTreeSync(pid);
    for (const [dir, { name, log: serverLog }] of openSessions) {
      try {
        const out = path.join(RESULTS, name);
        mkdirSync(out, { recursive: true });
        if (existsSync(serverLog)) copyFileSync(serverLog, path.join(out, 'code-server.log'));
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort on the way out
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const pid of [...owned]) killTreeSync(pid);
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion, its output to logFile; throws with the log's tail when it fails. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; what: string }): string {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  writeFileSync(opts.logFile, `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${opts.what} failed (exit ${r.status ?? r.signal}); log: ${opts.logFile}\n${tail}`);
  }
  log(`${opts.what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r.stdout ?? '';
}

// ---- the VSIX, code-server, the installed extension -------------------------------------------------------

const VSIX_INPUTS = ['src', 'webview', 'media', 'examples/batchnorm-mismatch.js', 'package.json', 'package-lock.json', 'build.mjs', '.vscodeignore', 'README.md'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** The packaged extension: $TFJS_E2E_VSIX, else `npm run package` unless the last package is newer than every input. */
export function ensureVsix(): string {
  const given = process.env.TFJS_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`TFJS_E2E_VSIX=${given} does not exist`);
    return given;
  }
  mkdirSync(BUILD, { recursive: true });
  const cached = path.join(BUILD, VSIX_NAME);
  const newestInput = Math.max(...VSIX_INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
  if (existsSync(cached) && statSync(cached).mtimeMs > newestInput && process.env.TFJS_E2E_REPACKAGE !== '1') {
    log(`VSIX up to date: ${path.relative(ROOT, cached)}`);
    return cached;
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.package) throw new Error('package.json has no "package" script (npm run package must produce tfjs-model-debugger.vsix)');
  const startedAt = Date.now();
  run('npm', ['run', 'package'], { logFile: path.join(BUILD, 'package.log'), what: 'npm run package' });
  const produced = path.join(ROOT, VSIX_NAME);
  if (!existsSync(produced) || statSync(produced).mtimeMs < startedAt - 1000) {
    throw new Error(`npm run package did not write ${VSIX_NAME} (see ${path.join(BUILD, 'package.log')})`);
  }
  copyFileSync(produced, cached);
  return cached;
}

/** The folder holding node_modules/code-server (scripts/e2e/setup-code-server.sh; cached). */
export function ensureCodeServer(): string {
  mkdirSync(BUILD, { recursive: true });
  const out = run('bash', [path.join(ROOT, 'scripts', 'e2e', 'setup-code-server.sh')], { logFile: path.join(BUILD, 'setup-code-server.log'), what: 'code-server setup' });
  const dir = out.trim().split('\n').pop() ?? '';
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) throw new Error(`code-server setup printed ${dir}, which has no ${entry}`);
  return entry;
}

/** Environment for code-server: its config and data under dir, not in the user's home. */
function codeServerEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data') };
  // The test runner's and tsx's variables must not leak into the extension host or the runner it starts.
  for (const k of Object.keys(env)) if (k.startsWith('NODE_TEST') || k === 'NODE_OPTIONS' || k.startsWith('TSX')) delete env[k];
  return env;
}

/** An extensions folder with the VSIX installed, made once per VSIX and copied for each session. */
function extensionsTemplate(entry: string, vsix: string): string {
  const st = statSync(vsix);
  const key = createHash('sha256').update(`${vsix}:${st.size}:${st.mtimeMs}:${entry}`).digest('hex').slice(0, 12);
  const template = path.join(BUILD, `extensions-${key}`);
  if (existsSync(path.join(template, '.done'))) return template;
  for (const old of readdirSync(BUILD)) if (old.startsWith('extensions-')) rmSync(path.join(BUILD, old), { recursive: true, force: true });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tfjs-e2e-install-'));
  try {
    run(process.execPath, [entry, '--user-data-dir', path.join(scratch, 'user-data'), '--extensions-dir', template, '--install-extension', vsix], {
      env: codeServerEnv(scratch), logFile: path.join(BUILD, 'install-extension.log'), what: 'code-server --install-extension',
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (!readdirSync(template).some((d) => d.startsWith(`${EXTENSION_ID}-`))) throw new Error(`the VSIX did not install into ${template}`);
  writeFileSync(path.join(template, '.done'), `${vsix}\n`);
  return template;
}

/** Copies the template; extensions.json holds absolute paths, rewritten for the copy. */
export function freshExtensionsDir(template: string, dest: string): void {
  cpSync(template, dest, { recursive: true });
  rmSync(path.join(dest, '.done'), { force: true });
  const manifest = path.join(dest, 'extensions.json');
  if (existsSync(manifest)) writeFileSync(manifest, readFileSync(manifest, 'utf8').split(template).join(dest));
}

export interface Prepared {
  entry: string;
  vsix: string;
  extensionsTemplate: string;
}

let prepared: Prepared | null = null;

/** Packages, sets up code-server and installs the extension: once per process, cached across runs. */
export function prepare(): Prepared {
  if (prepared) return prepared;
  const vsix = ensureVsix();
  const entry = ensureCodeServer();
  prepared = { entry, vsix, extensionsTemplate: extensionsTemplate(entry, vsix) };
  return prepared;
}

// ---- the workspace ------------------------------------------------------------------------------------

/** Lays out the fixture workspace: the example, a saved model, and the scenario scripts. */
export function makeWorkspace(dir: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), path.join(dir, 'batchnorm-mismatch.js'));
  cpSync(path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout'), path.join(dir, 'bn-dropout'), { recursive: true });
  for (const f of readdirSync(path.join(FIXTURES, 'workspace'))) cpSync(path.join(FIXTURES, 'workspace', f), path.join(dir, f), { recursive: true });
  // The runner resolves tfjs from the script's folder up: nothing above the workspace may provide it.
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'node_modules', '@tensorflow'))) throw new Error(`${d}/node_modules/@tensorflow would shadow the bundled tfjs`);
    if (path.dirname(d) === d) break;
  }
}

// ---- sessions -----------------------------------------------------------------------------------------

export interface SessionOptions {
  /** Folder under test-results/e2e/ for this scenario's failure artefacts. */
  name: string;
  /** Start with workspace trust disabled (trusted), the default; false: trust enabled and the folder not trusted. */
  trusted?: boolean;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
}

export const USER_SETTINGS: Record<string, unknown> = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'editor.codeLens': true,
  'window.restoreWindows': 'all',
  'workbench.editor.enablePreview': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'files.watcherExclude': { '**/node_modules/**': true },
  // The built-in TypeScript/JavaScript support would start a full tsserver and a typings installer per
  // window (CPU the 2-core machine needs for the scenarios); the syntax server alone still gives JS hovers.
  'typescript.tsserver.useSyntaxServer': 'always',
  'typescript.disableAutomaticTypeAcquisition': true,
  // The DOM renderer: the terminal's text is in the page, for the tests to read.
  'terminal.integrated.gpuAcceleration': 'off',
};

/** code-server's address for a folder (slashes left readable). */
export function folderUrl(port: number, folder: string): string {
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
}

export interface CodeServerOptions {
  entry: string;
  /** Holds user-data/, xdg-config/, xdg-data/ and code-server.log. */
  dir: string;
  workspace: string;
  extensions: string;
  /** false: workspace trust on, no startup prompt, the folder not trusted (Restricted Mode). */
  trusted: boolean;
  settings?: Record<string, unknown>;
  /** Default: a free loopback port. */
  port?: number;
}

export interface CodeServer {
  server: ChildProcess;
  port: number;
  userData: string;
  log: string;
  url: string;
  stop(): Promise<void>;
}

/** Starts code-server on 127.0.0.1 with the given extensions folder and user settings; resolves once it answers. */
export async function launchCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  hookExit();
  const userData = path.join(o.dir, 'user-data');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  const settings: Record<string, unknown> = { ...USER_SETTINGS, ...o.settings };
  if (!o.trusted) {
    // code-server trusts every folder unless told otherwise; with trust enabled and the prompt off, a folder
    // nobody trusted opens in Restricted Mode.
    settings['security.workspace.trust.enabled'] = true;
    settings['security.workspace.trust.startupPrompt'] = 'never';
    settings['security.workspace.trust.banner'] = 'always';
    settings['security.workspace.trust.emptyWindow'] = false;
  }
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  mkdirSync(path.join(o.dir, 'xdg-config', 'code-server'), { recursive: true });
  const config = path.join(o.dir, 'xdg-config', 'code-server', 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');

  const port = o.port ?? await freePort();
  const log = path.join(o.dir, 'code-server.log');
  const args = [
    o.entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--config', config,
    '--user-data-dir', userData, '--extensions-dir', o.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    ...(o.trusted ? ['--disable-workspace-trust'] : []),
    o.workspace,
  ];
  const out = createWriteStream(log);
  const server = spawn(process.execPath, args, { cwd: o.dir, env: codeServerEnv(o.dir), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (server.pid) owned.add(server.pid);
  server.stdout?.pipe(out);
  server.stderr?.pipe(out);
  const stop = async () => {
    if (server.pid) await stopTree(server.pid);
  };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, server, log, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { server, port, userData, log, url: folderUrl(port, o.workspace), stop };
}

export class Session {
  readonly url: string;
  private closed = false;
  private logStream: ReturnType<typeof createWriteStream>;
  readonly startedAt = Date.now();

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly workspace: string,
    readonly userData: string,
    readonly port: number,
    private readonly server: ChildProcess,
    readonly serverLog: string,
    private browserServer: BrowserServer | null,
    public browser: Browser | null,
    public page: Page,
    readonly options: SessionOptions,
  ) {
    this.url = folderUrl(port, workspace);
    this.logStream = createWriteStream(serverLog, { flags: 'a' });
  }

  static async start(options: SessionOptions): Promise<Session> {
    const { entry, extensionsTemplate: template } = prepare();
    const t = Date.now();
    const dir = mkdtempSync(path.join(os.tmpdir(), `tfjs-e2e-${options.name.replace(/[^\w-]+/g, '-')}-`));
    const workspace = path.join(dir, 'workspace');
    const extensions = path.join(dir, 'extensions');
    openSessions.set(dir, { name: options.name, log: path.join(dir, 'code-server.log') });
    makeWorkspace(workspace);
    freshExtensionsDir(template, extensions);
    const trusted = options.trusted !== false;
    const cs = await launchCodeServer({ entry, dir, workspace, extensions, trusted, settings: options.settings });
    let page: Page | null = null;
    let browserServer: BrowserServer | null = null;
    let browser: Browser | null = null;
    try {
      browserServer = await chromium.launchServer({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
      const bpid = browserServer.process().pid;
      if (bpid) owned.add(bpid);
      browser = await chromium.connect(browserServer.wsEndpoint());
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1600, height: 1000 } });
      page = await context.newPage();
      const session = new Session(options.name, dir, workspace, cs.userData, cs.port, cs.server, cs.log, browserServer, browser, page, options);
      await session.open();
      log(`${options.name}: code-server on port ${cs.port}, workbench ready in ${((Date.now() - t) / 1000).toFixed(1)} s (${trusted ? 'trusted' : 'untrusted'})`);
      return session;
    } catch (e) {
      const failDir = path.join(RESULTS, options.name);
      mkdirSync(failDir, { recursive: true });
      if (page) await page.screenshot({ path: path.join(failDir, 'start-failure.png') }).catch(() => undefined);
      await browser?.close().catch(() => undefined);
      if (browserServer) await stopTree(browserServer.process().pid ?? 0, 2000);
      await cs.stop();
      if (existsSync(cs.log)) copyFileSync(cs.log, path.join(failDir, 'code-server.log'));
      rmSync(dir, { recursive: true, force: true });
      openSessions.delete(dir);
      throw e;
    }
  }

  /** Opens (or reopens) the workbench and waits until the extension host runs. */
  async open(): Promise<void> {
    await this.page.goto(this.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await this.waitForWorkbench();
  }

  /** The workbench is up and knows the extension: its activity bar icon (a contributed view container) shows. */
  async waitForWorkbench(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90_000 });
    await this.page.waitForSelector('.monaco-workbench .explorer-folders-view, .monaco-workbench .part.sidebar', { timeout: 60_000 });
    await this.page.waitForSelector('.part.activitybar [aria-label^="TF.js Debugger"]', { timeout: 60_000 });
  }

  /** Appends a line to the code-server log (markers between scenario steps). */
  note(text: string): void {
    this.logStream.write(`\n[e2e] ${new Date().toISOString()} ${text}\n`);
  }

  /** Screenshot of the page into test-results/e2e/<name>/ (or another path). */
  async screenshot(file: string): Promise<string> {
    const target = path.isAbsolute(file) ? file : path.join(RESULTS, this.name, file);
    mkdirSync(path.dirname(target), { recursive: true });
    await this.page.screenshot({ path: target });
    return target;
  }

  /** Keeps what explains a failure: a screenshot, the code-server log and VS Code's logs. */
  async saveFailure(error: unknown, step = 'failure'): Promise<void> {
    const out = path.join(RESULTS, this.name);
    const base = step.replace(/[^\w-]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'failure';
    mkdirSync(out, { recursive: true });
    try {
      await this.page.screenshot({ path: path.join(out, `${base}.png`), timeout: 10_000 });
    } catch (e) {
      writeFileSync(path.join(out, `${base}.screenshot-error.txt`), String(e));
    }
    writeFileSync(path.join(out, `${base}.error.txt`), error instanceof Error ? `${error.stack ?? error.message}\n` : `${String(error)}\n`);
    if (existsSync(this.serverLog)) copyFileSync(this.serverLog, path.join(out, 'code-server.log'));
    const logs = path.join(this.userData, 'logs');
    if (existsSync(logs)) cpSync(logs, path.join(out, 'vscode-logs'), { recursive: true });
    log(`${this.name}: failure artefacts in ${path.relative(ROOT, out)}`);
  }

  /** Stops Chromium and code-server (process groups and descendants) and removes the session folder. */
  async stop(keep = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.browser?.close().catch(() => undefined);
    const bpid = this.browserServer?.process().pid;
    await this.browserServer?.close().catch(() => undefined);
    if (bpid) await stopTree(bpid, 2000);
    if (this.server.pid) await stopTree(this.server.pid);
    this.logStream.end();
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
    openSessions.delete(this.dir);
  }

  /** Text of every output-channel log VS Code wrote for this session (extension host side), by channel name. */
  outputChannelLog(channel: string): string {
    const logs = path.join(this.userData, 'logs');
    const found: string[] = [];
    const walk = (d: string) => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(`${channel}.log`)) found.push(p);
      }
    };
    walk(logs);
    return found.map((f) => readFileSync(f, 'utf8')).join('\n');
  }

  /** Code-server's stdout and stderr so far. */
  serverOutput(): string {
    return existsSync(this.serverLog) ? readFileSync(this.serverLog, 'utf8') : '';
  }
}

async function waitForHttp(url: string, server: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before listening:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not yet
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

/** Runs fn in a fresh session; on failure keeps the artefacts; always stops every process it started. */
export async function withSession(options: SessionOptions, fn: (s: Session) => Promise<void>): Promise<void> {
  const session = await Session.start(options);
  let failed = false;
  try {
    await fn(session);
  } catch (e) {
    failed = true;
    await session.saveFailure(e);
    throw e;
  } finally {
    await session.stop();
    log(`${options.name}: ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - session.startedAt) / 1000).toFixed(1)} s`);
  }
}
