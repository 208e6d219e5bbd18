// The cross-backend check's worker (src/engine/probes/checkInWorker.ts): tfjs-core with tfjs-backend-cpu's
// kernels, bundled on their own (the page's tfjs is not reachable from here, and its cpu kernels need not be
// loaded), running a check's pass on cpu off the page's thread. It says it is ready (with its tfjs version), takes
// one pass, answers, and is ended by the page.
import * as core from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runPass } from './backendCheck.ts';
import type { FromWorker, ToWorker } from './checkInWorker.ts';
import type { TfjsCore } from '../tfjs.ts';

const scope = globalThis as unknown as { postMessage(m: FromWorker): void; onmessage: ((e: { data: ToWorker }) => void) | null };

scope.onmessage = ({ data }) => {
  try {
    scope.postMessage({ check: runPass(core as unknown as TfjsCore, data.pass, new Map(data.values)) });
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};
scope.postMessage({ ready: core.version_core });
