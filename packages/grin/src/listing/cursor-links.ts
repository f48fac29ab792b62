const NEXT_WORD = /next/;
const NEXT_ARROW = />|\u00bb|\u203a/;

/** True when a listing URL or href carries a pagination cursor. */
export function hasCursor(url: string): boolean {
  return url.includes('first=') || url.includes('ctoken=');
}

/**
 * The listing page's pagination links: `a` elements whose href carries a `first=` or `ctoken=`
 * cursor. Their text (and the alt text of images inside them) is collected until the link closes,
 * then decides whether the link leads to the next page.
 */
export class CursorLinks {
  /** First cursor link whose text says "next". */
  private nextHref: string | null = null;
  /** First cursor link whose text is only an arrow (`>`, `»`, `›`): used when no "next" link exists. */
  private arrowHref: string | null = null;
  private href: string | null = null;
  private text = '';

  /** A cursor link is open: its text is being collected. */
  get open(): boolean {
    return this.href !== null;
  }

  /** The next page's href: the "next" link, else the arrow link, else null. */
  get next(): string | null {
    return this.nextHref ?? this.arrowHref;
  }

  /** An `a` opens (closing an open one, as in HTML); it is followed if it is a cursor link and no "next" link was found yet. */
  openLink(href: string | null): void {
    this.close();
    if (href !== null && this.nextHref === null && hasCursor(href)) {
      this.href = href;
      this.text = '';
    }
  }

  /** Text inside the open cursor link, if any. */
  addText(text: string): void {
    if (this.href !== null) this.text += text;
  }

  /** The open link (if any) ends: explicitly, or implied by the end of its cell, row or table. */
  close(): void {
    if (this.href === null) return;
    const text = this.text.toLowerCase();
    if (NEXT_WORD.test(text)) this.nextHref = this.href;
    else if (this.arrowHref === null && NEXT_ARROW.test(text)) this.arrowHref = this.href;
    this.href = null;
  }
}
