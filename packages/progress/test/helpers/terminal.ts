/** Matches any ESC-introduced sequence or a bare CR. */
// eslint-disable-next-line no-control-regex
export const ESCAPE_OR_CR = /\u001b|\r/;
