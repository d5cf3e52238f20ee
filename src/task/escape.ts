/**
 * Makes text safe to print on a terminal: C0/C1 control characters (except newline and tab),
 * DEL, and bidirectional overrides are written as \u{XX} escapes, so input echoed in a message can
 * neither move the cursor nor hide text.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(2, '0')}}`);
}
