/** ANSI sequences the tty renderer uses. */
export const ANSI = {
  /** Carriage return + erase to end of line: clears the live line. */
  clearLine: '\r\u001b[K',
  eraseToEnd: '\u001b[K',
  hideCursor: '\u001b[?25l',
  showCursor: '\u001b[?25h',
} as const;

const STYLES = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  red: ['\u001b[31m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
} as const;

export type Style = keyof typeof STYLES;

/** A piece of text with an optional style. */
export interface Styled {
  readonly text: string;
  readonly style?: Style;
}

/** Matches ANSI CSI/OSC sequences, for measuring and stripping. */
// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)/g;

/** `text` without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** Visible width in columns, counting code points (wide CJK glyphs count as 1). */
export function visibleWidth(text: string): number {
  let n = 0;
  for (const _ of stripAnsi(text)) n++;
  return n;
}

/**
 * Joins styled pieces into one line of at most `width` visible columns,
 * cutting the last visible piece with `…` when needed. Styles are applied
 * after cutting, so escape sequences are never split; with `color` false no
 * escape sequence is emitted at all.
 */
export function fitStyled(pieces: readonly Styled[], width: number, color: boolean): string {
  const limit = Math.max(1, Math.floor(width));
  let used = 0;
  let out = '';
  for (const piece of pieces) {
    const chars = Array.from(piece.text);
    if (used + chars.length > limit) {
      const room = limit - used;
      if (room > 0) out += paint(`${chars.slice(0, Math.max(0, room - 1)).join('')}…`, piece.style, color);
      return out;
    }
    out += paint(piece.text, piece.style, color);
    used += chars.length;
  }
  return out;
}

/** `text` wrapped in the escape codes of `style` (unchanged without colour). */
export function paint(text: string, style: Style | undefined, color: boolean): string {
  if (!color || style === undefined || text === '') return text;
  const [open, close] = STYLES[style];
  return `${open}${text}${close}`;
}
