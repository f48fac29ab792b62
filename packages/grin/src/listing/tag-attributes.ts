import type { ChunkText } from './chunk-text.js';
import { ATTR_ALT, ATTR_CLASS, ATTR_HREF, ATTR_OTHER, ATTR_TYPE, ATTR_VALUE, attributeAt } from './html-names.js';

/**
 * The attributes of the open tag that the listing parser reads (class, href, type, value, alt),
 * collected from the tokenizer's attribute callbacks only for the tags that matter: no attribute
 * object per tag, no string for an attribute nobody reads.
 */
export class TagAttributes {
  /** The open tag's attributes are wanted (decided from its name and the parser state). */
  wanted = false;
  cls: string | null = null;
  href: string | null = null;
  type: string | null = null;
  value: string | null = null;
  alt: string | null = null;
  private attribute = ATTR_OTHER;
  private attributeValue = '';

  /** A tag opens. */
  start(wanted: boolean): void {
    this.wanted = wanted;
    if (!wanted) return;
    this.cls = null;
    this.href = null;
    this.type = null;
    this.value = null;
    this.alt = null;
  }

  name(text: ChunkText, start: number, end: number): void {
    this.attribute = this.wanted ? attributeAt(text, start, end) : ATTR_OTHER;
    this.attributeValue = '';
  }

  data(text: ChunkText, start: number, end: number): void {
    if (this.attribute !== ATTR_OTHER) this.attributeValue += text.slice(start, end);
  }

  entity(codePoint: number): void {
    if (this.attribute !== ATTR_OTHER) this.attributeValue += String.fromCodePoint(codePoint);
  }

  /** The attribute ends; the first occurrence of a repeated attribute wins, as in the DOM. */
  end(): void {
    const value = this.attributeValue;
    switch (this.attribute) {
      case ATTR_CLASS:
        this.cls ??= value;
        break;
      case ATTR_HREF:
        this.href ??= value;
        break;
      case ATTR_TYPE:
        this.type ??= value;
        break;
      case ATTR_VALUE:
        this.value ??= value;
        break;
      case ATTR_ALT:
        this.alt ??= value;
        break;
      default:
    }
    this.attribute = ATTR_OTHER;
  }
}
