// The page agent: the engine's taps and probes inside a web page, on the page's own tfjs and backend (webgl,
// webgpu, wasm, cpu). Bundled for the browser as dist/page-agent.js. It finds tfjs with no change to the app:
// - tfjs loaded by a script tag: the launcher injects this agent before any page script runs; it watches for
//   the global `tf` that tfjs's UMD bundle sets (`global.tf = global.tf || {}`, then fills it in the same
//   script), and attaches once that script has finished (a microtask later, before the next script runs);
// - an app that bundles tfjs (Vite, webpack): the app, or the Vite plugin, calls
//   `window.__tfjsDebugger.attach(tf)` with its own tfjs instance before it trains.
// The launcher also puts it into each dedicated worker of the page before the worker's first script: there it
// finds the `tf` that importScripts defines, or is handed one (`self.__tfjsDebugger.attach(tf)`).
// Events go to the host through the DevTools binding the launcher adds (`__tfjsDebuggerEmit`), which only this
// page can call; without one (the agent loaded by hand) they are kept in `window.__tfjsDebugger.events`.
import { instrument, type Instrumentation } from '../engine/instrument.ts';
import type { TfjsCore, TfjsLayers } from '../engine/tfjs.ts';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../protocol/runOptions.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';
import { AGENT_GLOBAL, BINDING, encodeEvent } from '../protocol/pageWire.ts';

interface AgentConfig {
  options?: Partial<RunOptions>;
}

interface Agent {
  attach(tf: unknown): void;
  readonly attached: boolean;
  readonly events: RunnerEvent[];
  flush(): void;
  /** Ends the run (the host asks when the page goes idle, closes or times out): what is pending, then run-end. */
  finish(): Promise<void>;
}

const SETTLE_MS = 1000;

/** Frames of tfjs and of the agent itself are not the user's code. */
function isInternal(file: string): boolean {
  return /[\\/](tf|tfjs)[^\\/]*(\.min)?\.js|page-agent\.js|[\\/]@tensorflow[\\/]|[\\/]\.vite[\\/]deps[\\/]|[\\/]node_modules[\\/]/.test(file) ||
    file.startsWith('node:') || file === '<anonymous>';
}

/** The page's tfjs: the union bundle (core and layers in one namespace), or an app's core alone. */
type PageTfjs = TfjsCore & Partial<TfjsLayers> & { version?: Record<string, string> };

/** What the agent reads and sets on the page's global scope. */
interface PageScope {
  [BINDING]?: (payload: string) => void;
  [AGENT_GLOBAL]?: Agent;
  __tfjsDebuggerConfig?: AgentConfig;
  tf?: unknown;
  location?: { href: string };
  addEventListener?: (type: string, listener: () => void) => void;
}

const scope = globalThis as unknown as PageScope;

function isTfjs(tf: unknown): tf is PageTfjs {
  return typeof tf === 'object' && tf !== null && typeof (tf as { engine?: unknown }).engine === 'function';
}

function installAgent(config: AgentConfig): Agent {
  const binding = typeof scope[BINDING] === 'function' ? scope[BINDING] : undefined;
  const events: RunnerEvent[] = [];
  const send = (event: RunnerEvent) => {
    if (binding) binding(encodeEvent(event));
    else events.push(event);
  };
  let instrumentation: Instrumentation | null = null;
  let attachedTo: PageTfjs | null = null;
  let tensorsAtStart = 0;
  let finished = false;
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, ...config.options };

  const agent: Agent = {
    get attached() {
      return attachedTo != null;
    },
    events,
    attach(tf: unknown) {
      if (!isTfjs(tf)) return;
      // The same tfjs again (each of a Vite app's modules that imports it hands it over, core and layers as a new
      // object each time): one engine is one tfjs.
      if (attachedTo && (attachedTo === tf || attachedTo.engine() === tf.engine())) return;
      if (attachedTo) {
        send({ type: 'log', level: 'warn', message: 'a second copy of tfjs was loaded in the page; only the first one is instrumented' });
        return;
      }
      attachedTo = tf;
      send({
        type: 'run-start', target: String(scope.location?.href ?? 'page'), args: [], cwd: '', pid: 0,
        startedAt: new Date().toISOString(), options,
        tfjs: { version: String(tf.version_core ?? tf.version?.['tfjs-core'] ?? 'unknown'), backend: safeBackend(tf) ?? 'not chosen yet', source: 'workspace', path: 'page' },
      });
      tensorsAtStart = liveTensors(tf);
      // Reads on webgl do not wait for the device (readback.ts, the deferred strategy): the page stays responsive.
      instrumentation = instrument({ core: tf, layers: tf.layers?.Layer ? (tf as PageTfjs & TfjsLayers) : null }, { ...options, emit: send, isInternal, deferReads: true });
    },
    flush() {
      instrumentation?.flush();
    },
    async finish() {
      if (finished) return;
      finished = true;
      instrumentation?.flush();
      // The records whose values are still on their way from the device; a device that never answers (a lost
      // context) holds the run's end up for at most a second.
      await Promise.race([instrumentation?.settled(), new Promise((resolve) => setTimeout(resolve, SETTLE_MS))]);
      const tf = attachedTo;
      send({
        type: 'run-end', status: 'completed', exitCode: 0, error: null,
        memory: { tensorsAtStart, tensorsAtEnd: tf ? liveTensors(tf) : 0 },
        gradientCallCount: instrumentation?.gradientCallCount ?? 0, backend: tf ? safeBackend(tf) : null,
      });
    },
  };
  return agent;
}

/** Live tensors, read without initialising a backend (tf.memory() would). */
function liveTensors(tf: PageTfjs): number {
  return Number(tf.engine().state?.numTensors ?? 0);
}

function safeBackend(tf: PageTfjs): string | null {
  try {
    return tf.getBackend?.() ?? null;
  } catch {
    return null;
  }
}

/** Attaches to the global `tf` a script tag defines, once its script has run. */
function watchGlobalTf(agent: Agent): void {
  if (scope.tf) {
    agent.attach(scope.tf);
    return;
  }
  let value: unknown;
  Object.defineProperty(scope, 'tf', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (v: unknown) => {
      value = v;
      // The UMD bundle assigns an empty object first and fills it in the same script.
      queueMicrotask(() => agent.attach(value));
    },
  });
}

if (!scope[AGENT_GLOBAL]) {
  const agent = installAgent(scope.__tfjsDebuggerConfig ?? {});
  scope[AGENT_GLOBAL] = agent;
  watchGlobalTf(agent);
  // A page that navigates away or closes ends the run: what is pending goes out first.
  scope.addEventListener?.('pagehide', () => agent.flush());
}
