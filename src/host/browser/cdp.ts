// A minimal Chrome DevTools Protocol client over the pipe Chromium opens with --remote-debugging-pipe: the
// browser reads commands from its file descriptor 3 and writes replies and events to its descriptor 4, each
// message JSON ended by a NUL byte. No port is opened, so nothing but the process that started the browser
// can drive it. Sessions are flat (Target.attachToTarget with flatten: true): a message names its sessionId.
import type { Readable, Writable } from 'node:stream';

type Params = Record<string, unknown>;
/** A command's result or an event's parameters: JSON whose shape the protocol's method defines; callers read the
 *  fields of the methods they use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one JSON shape per DevTools method
export type CdpPayload = any;
type Listener = (params: CdpPayload, sessionId: string | undefined) => void;

export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: CdpPayload) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private buffered = '';
  private closed = false;

  constructor(private readonly out: Writable, input: Readable, private readonly onClose: () => void = () => undefined) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    input.on('close', () => this.close('the browser closed the DevTools pipe'));
    out.on('error', () => this.close('the browser closed the DevTools pipe'));
  }

  /** Sends a command and resolves with its result (rejects with the protocol's error). */
  send<T = CdpPayload>(method: string, params: Params = {}, sessionId?: string): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${method}: the browser is gone`));
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(message + '\0');
    });
  }

  on(method: string, listener: Listener): () => void {
    const set = this.listeners.get(method) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(method, set);
    return () => set.delete(listener);
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\0')) >= 0) {
      const text = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      let message: CdpPayload;
      try {
        message = JSON.parse(text);
      } catch {
        continue;
      }
      if (typeof message.id === 'number') {
        const waiting = this.pending.get(message.id);
        if (!waiting) continue;
        this.pending.delete(message.id);
        if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message ?? 'failed'}`));
        else waiting.resolve(message.result);
      } else if (typeof message.method === 'string') {
        for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
      }
    }
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const { reject, method } of this.pending.values()) reject(new Error(`${method}: ${reason}`));
    this.pending.clear();
    this.onClose();
  }
}
