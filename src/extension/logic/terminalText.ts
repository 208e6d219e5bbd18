// The script's output as a terminal shows it: colours and cursor movement (CSI sequences, which a script run in
// a terminal would send too) pass; other escape sequences (OSC: window title, clipboard, hyperlinks; DCS and the
// like) and the other control characters are written as visible text; newlines become CRLF. Pure.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CSI = /^\u001b\[[0-?]*[ -/]*[@-~]/;
// eslint-disable-next-line no-control-regex -- the same
const CONTROL = /[\u0000-\u0007\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text for a Pseudoterminal: CSI kept, other control characters shown, lone LF as CRLF. */
export function terminalText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\u001b') {
      const csi = CSI.exec(text.slice(i, i + 64));
      if (csi) {
        out += csi[0];
        i += csi[0].length - 1;
      } else {
        out += visible(c);
      }
    } else if (c === '\n') {
      out += text[i - 1] === '\r' ? '\n' : '\r\n';
    } else {
      out += CONTROL.test(c) ? visible(c) : c;
    }
  }
  return out;
}

/** The last `max` characters of what a terminal was sent, to show it again in a terminal opened later. */
export class ReplayBuffer {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly max = 1024 * 1024) {}

  push(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.max && this.chunks.length > 1) this.size -= (this.chunks.shift() as string).length;
  }

  get empty(): boolean {
    return this.size === 0;
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  text(): string {
    const all = this.chunks.join('');
    return all.length > this.max ? all.slice(all.length - this.max) : all;
  }
}
