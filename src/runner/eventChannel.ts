// The runner's private channel to its host: file descriptor 3 of the runner, a pipe that launchRunner opens for
// it (no Node IPC, so the user's script sees no process.send and cannot write into the stream by accident).
// Each event is v8-serialized (NaN and Infinity survive, unlike JSON) and framed with its length, and written
// synchronously, so that nothing is lost however the runner exits. The host validates every event against the
// protocol before it uses it.
import { writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { RunError } from '../protocol/report.ts';
import { isRunnerEvent, type RunnerEvent } from '../protocol/runnerEvents.ts';

export const CHANNEL_FD = 3;
/** A frame longer than this means the stream is not ours (or is corrupt): the host stops reading it. */
export const MAX_FRAME_BYTES = 256 * 2 ** 20;
const MESSAGE_CHARS = 16_000;
const STACK_CHARS = 64_000;

function clipText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters cut)`;
}

function clipError(error: RunError | null): RunError | null {
  if (!error) return error;
  return { ...error, message: clipText(String(error.message), MESSAGE_CHARS), ...(error.stack != null ? { stack: clipText(String(error.stack), STACK_CHARS) } : {}) };
}

/** An event with its long texts cut (a 100 KB error message arrives cut, not replaced by a generic one). */
function clipEvent(event: RunnerEvent): RunnerEvent {
  switch (event.type) {
    case 'error':
      return { ...event, error: clipError(event.error) as RunError };
    case 'run-end':
      return { ...event, error: clipError(event.error) };
    case 'log':
      return { ...event, message: clipText(event.message, MESSAGE_CHARS) };
    default:
      return event;
  }
}

export function encodeFrame(event: RunnerEvent): Buffer {
  const body = serialize(clipEvent(event));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
}

/** The runner's side: writes each event whole before returning. Without the channel (fd 3 closed), drops them. */
export function channelWriter(fd = CHANNEL_FD): (event: RunnerEvent) => void {
  let open = true;
  return (event) => {
    if (!open) return;
    const frame = encodeFrame(event);
    try {
      for (let off = 0; off < frame.length;) off += writeSync(fd, frame, off, frame.length - off);
    } catch {
      open = false; // the host is gone: nothing to report to
    }
  };
}

/** The host's side: bytes in, valid events out. Frames that are not a protocol event are skipped and counted; a
 *  stream that is not framed as ours stops the decoder. */
export class EventDecoder {
  private buffered: Buffer[] = [];
  private size = 0;
  /** Length of the frame being read, once its header is in. */
  private need: number | null = null;
  rejected = 0;
  broken: string | null = null;

  constructor(private readonly onEvent: (event: RunnerEvent) => void) {}

  push(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.size += chunk.length;
    while (!this.broken) {
      if (this.need === null) {
        if (this.size < 4) return;
        this.need = this.consume(4).readUInt32LE(0);
        if (this.need > MAX_FRAME_BYTES) {
          this.broken = `a frame of ${this.need} bytes, more than ${MAX_FRAME_BYTES}`;
          this.buffered = [];
          return;
        }
      }
      if (this.size < this.need) return;
      const body = this.consume(this.need);
      this.need = null;
      let event: unknown;
      try {
        event = deserialize(body);
      } catch {
        event = undefined;
      }
      if (isRunnerEvent(event)) this.onEvent(event);
      else this.rejected++;
    }
  }

  /** Removes and returns the first `n` buffered bytes (copied together only when a frame is complete). */
  private consume(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    this.buffered = all.length > n ? [all.subarray(n)] : [];
    this.size -= n;
    return all.subarray(0, n);
  }
}
