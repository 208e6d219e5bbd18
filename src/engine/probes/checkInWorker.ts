// The cross-backend check's pass on cpu, off the page's thread: in a dedicated worker of the debugger's own, with
// tfjs-core and tfjs-backend-cpu bundled into it (checkWorker.ts; the page agent's build embeds that
// bundle as text). The page's thread only posts the values, which it hands over (transfers) rather than copies.
// Where no such worker can start (a page whose Content-Security-Policy forbids blob: workers, a build without the
// bundle: the Node runner), the caller runs the pass on the page's thread instead.
import { CHECK_WORKER_NAME } from '../../protocol/pageWire.ts';
import type { BackendCheck } from '../../protocol/report.ts';
import type { BackendValues } from '../tfjs.ts';
import type { CpuPass, PassValues } from './backendCheck.ts';

/** What the page agent's build defines: the worker bundle's source. */
declare const __TFJS_DEBUG_CHECK_WORKER__: string | undefined;

/** Messages between the page and the worker. */
export type ToWorker = { pass: CpuPass; values: [number, BackendValues][] };
export type FromWorker = { ready: string } | { check: BackendCheck } | { error: string };

interface WorkerLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
  onmessage: ((e: { data: FromWorker }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
}

/** The major version of a tfjs-core version. */
const major = (version: string) => version.split('.')[0];

/** A worker not handed a pass within this long (its call's values never came: the call failed) is ended, in ms;
 *  a pass that comes later runs in slices. */
const UNUSED_MS = 60_000;

/** A check's worker, started before its pass is ready. */
export interface CheckWorker {
  /** Runs the pass. Resolves with the check; or with null when the worker could not start, or its tfjs is of
   *  another major version than the page's `tfjsVersion` (whose kernels' attributes may differ): nothing was handed
   *  over then, the values are still the caller's. A failure in the worker rejects. */
  run(pass: CpuPass, values: PassValues, tfjsVersion: string): Promise<BackendCheck | null>;
}

/**
 * Starts a worker for a check, or returns null where none can start. It is started as soon as a call is to be
 * checked, so that its start (0.4 MB of script, tfjs's kernels registered: 2.5 s on the page bench's starved
 * cores) overlaps the wait for the call's values.
 */
export function startCheckWorker(): CheckWorker | null {
  const scope = globalThis as { Worker?: new (url: string, options?: { name: string }) => WorkerLike; Blob?: typeof Blob; URL?: typeof URL };
  const source = typeof __TFJS_DEBUG_CHECK_WORKER__ === 'string' ? __TFJS_DEBUG_CHECK_WORKER__ : null;
  if (!source || !scope.Worker || !scope.Blob || !scope.URL?.createObjectURL) return null;
  let url: string;
  let worker: WorkerLike;
  try {
    url = scope.URL.createObjectURL(new scope.Blob([source], { type: 'text/javascript' }));
    worker = new scope.Worker(url, { name: CHECK_WORKER_NAME });
  } catch {
    return null;
  }
  /** The worker's tfjs version once it is ready, or null when it failed to start or was ended first. */
  let answer: (data: FromWorker | null) => void = () => undefined;
  const ready = new Promise<string | null>((resolve) => {
    answer = (data) => resolve(data && 'ready' in data ? data.ready : null);
  });
  let ended = false;
  const done = () => {
    ended = true;
    answer(null);
    clearTimeout(unused);
    worker.terminate();
    scope.URL?.revokeObjectURL(url);
  };
  const unused = setTimeout(done, UNUSED_MS);
  worker.onmessage = ({ data }) => answer(data);
  worker.onerror = (e) => {
    e.preventDefault?.();
    answer(null);
  };
  return {
    async run(pass, values, tfjsVersion) {
      clearTimeout(unused);
      const version = await ready;
      if (ended || version == null || major(version) !== major(tfjsVersion)) {
        done();
        return null;
      }
      return new Promise((resolve, reject) => {
        worker.onerror = (e) => {
          e.preventDefault?.();
          done();
          reject(new Error(`the check's worker failed: ${e.message ?? 'an error'}`));
        };
        worker.onmessage = ({ data }) => {
          done();
          if ('check' in data) resolve(data.check);
          else reject(new Error('error' in data ? data.error : 'the check\'s worker answered out of turn'));
        };
        // The values go over handed over, without a copy. A pass that cannot be posted (an attribute a structured
        // clone refuses) throws before anything is handed over.
        const message: ToWorker = { pass, values: [...values] };
        try {
          worker.postMessage(message, [...new Set([...values.values()].map((v) => (v as ArrayBufferView).buffer).filter(Boolean))]);
        } catch {
          done();
          resolve(null);
        }
      });
    },
  };
}
