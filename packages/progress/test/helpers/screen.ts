/**
 * A minimal terminal emulator for the sequences the tty renderer emits:
 * printable text, `\r`, `\n`, erase-to-end-of-line, cursor show/hide and SGR
 * colours (ignored). Anything else fails the test, so a stray sequence cannot
 * go unnoticed.
 */
export class Screen {
  readonly lines: string[][] = [[]];
  row = 0;
  col = 0;
  cursorVisible = true;

  constructor(readonly width = 80) {}

  feed(text: string): this {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] ?? '';
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') {
        this.row++;
        this.col = 0;
        if (!this.lines[this.row]) this.lines[this.row] = [];
      } else if (ch === '\u001b') {
        const match = /^\u001b\[(\??[0-9;]*)([A-Za-z])/.exec(text.slice(i));
        if (!match) throw new Error(`unsupported escape at ${JSON.stringify(text.slice(i, i + 10))}`);
        const [seq, args, cmd] = match;
        if (cmd === 'K' && args === '') this.current().length = this.col;
        else if (cmd === 'l' && args === '?25') this.cursorVisible = false;
        else if (cmd === 'h' && args === '?25') this.cursorVisible = true;
        else if (cmd !== 'm') throw new Error(`unsupported escape ${JSON.stringify(seq)}`);
        i += seq.length - 1;
      } else {
        if (this.col >= this.width) throw new Error(`line wrapped: ${this.current().join('')}`);
        const line = this.current();
        while (line.length < this.col) line.push(' ');
        line[this.col++] = ch;
      }
    }
    return this;
  }

  /** Screen content, trailing empty lines dropped. */
  text(): string[] {
    const out = this.lines.map((l) => l.join(''));
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }

  private current(): string[] {
    const line = this.lines[this.row] ?? [];
    this.lines[this.row] = line;
    return line;
  }
}
