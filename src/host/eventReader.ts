// The host's side of the runner's private channel (the runner's side is src/runner/eventChannel.ts): length-framed,
// v8-serialized events in, checked against the protocol; what is not an event is counted and dropped.
import { deserialize } from 'node:v8';
import { MAX_FRAME_BYTES } from '../protocol/channel.ts';
import { isRunnerEvent, type RunnerEvent } from '../protocol/runnerEvents.ts';

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
