// What the host (src/host/launch.ts) and the runner it starts (src/runner/main.ts) agree on: the runner's command
// line, and the private channel its events come over: file descriptor 3, a pipe, each event framed by its
// length (src/runner/eventChannel.ts writes it, src/host/eventReader.ts reads it).
import type { RunOptions } from './runOptions.ts';

export const CHANNEL_FD = 3;
/** A frame longer than this means the stream is not ours (or is corrupt): the host stops reading it. */
export const MAX_FRAME_BYTES = 256 * 2 ** 20;

/** auto: the project's own tfjs keeps its backend, the bundled one trains on wasm. */
export type BackendChoice = 'auto' | 'wasm' | 'cpu';

/** The runner's first argument, as JSON: `node runner.js <RunnerArgs> <script> [script args...]`. */
export interface RunnerArgs {
  options: RunOptions;
  /** 'script' runs a training script; 'probe' loads a saved model.json (no user code runs). */
  kind: 'script' | 'probe';
  /** For probes: a JSON file {x, y}; null for a seeded synthetic batch. */
  dataFile: string | null;
  backend: BackendChoice;
  /** The runner's memory limit (the V8 heap, and the wasm heap too). */
  memoryLimitMb?: number;
}
