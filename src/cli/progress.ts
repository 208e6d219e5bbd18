// The progress line on stderr for long runs: redrawn in place on a terminal (at most 10 times a second),
// a plain line every 5 seconds otherwise, nothing for runs that end quickly.
import type { GradientCallRecord } from '../protocol/report.ts';
import { num } from '../model/format.ts';

export class ProgressLine {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly enabled: boolean) {}

  update(call: GradientCallRecord): void {
    if (!this.enabled) return;
    const now = Date.now();
    const tty = Boolean(this.stream.isTTY);
    if (now - this.started < 1000 || now - this.last < (tty ? 100 : 5000)) return;
    this.last = now;
    const text = `[tfjs-debug] ${call.index} gradient calls · loss ${num(call.lossDuring, 5)} · ${Math.round((now - this.started) / 1000)} s`;
    if (tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.shown = true;
    } else {
      this.stream.write(text + '\n');
    }
  }

  /** Other output (a page's console): the line is cleared first, and drawn again at the next update. */
  interject(write: () => void): void {
    this.clear();
    write();
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
