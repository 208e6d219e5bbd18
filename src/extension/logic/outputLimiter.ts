// Caps how much of one run's output reaches the output channel: a script that prints 100 MB must not flood
// it. Pure: no vscode import.

export const DEFAULT_OUTPUT_CAP = 2 * 1024 * 1024;

export class OutputLimiter {
  private written = 0;
  private truncated = false;

  constructor(private readonly cap = DEFAULT_OUTPUT_CAP) {}

  /** What of `chunk` to write: all of it, the part that still fits plus a notice once, or nothing. */
  take(chunk: string): string {
    if (this.truncated) return '';
    const room = this.cap - this.written;
    if (chunk.length <= room) {
      this.written += chunk.length;
      return chunk;
    }
    this.truncated = true;
    this.written = this.cap;
    const kept = chunk.slice(0, Math.max(0, room));
    return `${kept}${kept.endsWith('\n') || kept === '' ? '' : '\n'}... output truncated (over ${Math.round(this.cap / 1024 / 1024 * 10) / 10} MB for this run; the script keeps running)\n`;
  }

  get isTruncated(): boolean {
    return this.truncated;
  }
}
