/**
 * Replaces control characters (including CR, ESC, and newlines within a
 * single line) with a space, so text from callers (barcodes, error messages)
 * can never inject `\r` or escape sequences into plain or tty output.
 */
export function sanitizeLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
