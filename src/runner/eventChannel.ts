// The runner's side of its private channel to the host: file descriptor 3 of the runner, a pipe that launchRunner
// opens for it (no Node IPC, so the user's script sees no process.send and cannot write into the stream by
// accident). Each event is v8-serialized (NaN and Infinity survive, unlike JSON) and framed with its length, and
// written synchronously, so that nothing is lost however the runner exits. The host's side is
// src/host/eventReader.ts, which checks every event against the protocol before it uses it.
import { writeSync } from 'node:fs';
import { serialize } from 'node:v8';
import { CHANNEL_FD } from '../protocol/channel.ts';
import type { RunError } from '../protocol/report.ts';
import type { RunnerEvent } from '../protocol/runnerEvents.ts';

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
