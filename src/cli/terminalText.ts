// Text that reaches a terminal: every string from a model, a script, an error or a log passes through here,
// so that a layer named "\x1b]0;…\x07" or "\x1b[2J" shows as those characters instead of retitling the window,
// clearing the screen or writing the clipboard. Control characters (C0 but newline, DEL, C1) and the bidirectional
// overrides are written as visible escapes; tabs become spaces.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(s: string): string {
  return s.replace(/\t/g, ' ').replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
