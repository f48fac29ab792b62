import { TextDecoder } from 'node:util';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { UnsafeXmlError } from './extract-errors.js';
import { MARC_NAMESPACE, METS_NAMESPACE, type MarcDatafield, type MarcRecord } from './marc-record.js';

/** What one XML file gave. */
export type MetsParseOutcome =
  | { status: 'record'; record: MarcRecord }
  | { status: 'no_record' }
  | { status: 'malformed'; message: string };

/** Thrown by the closetag handler to stop saxes once the record is complete. */
const RECORD_COMPLETE = new Error('MARC record complete');

/** Bytes looked at to pick the text encoding (BOM or XML declaration). */
const SNIFF_BYTES = 256;

interface Capture {
  depth: number;
  text: string;
  done: (text: string) => void;
}

/**
 * Streaming parser of one XML file: finds the first `slim:record` that is a child of
 * `mets:xmlData` in `mets:mdWrap` in `mets:dmdSec` (matched by namespace URI, whatever the
 * prefixes) and collects its control and data fields.
 *
 * Safety: saxes never loads a DTD nor expands any entity but the five predefined ones. A DOCTYPE
 * that declares entities or points to an external DTD is refused with UnsafeXmlError (thrown from
 * `write`/`end`); a plain `<!DOCTYPE mets>` is accepted.
 *
 * Parsing stops at the end of the record: what follows in a METS file (amdSec, fileSec,
 * structMap: three quarters of a small volume's METS, nearly all of a large one's) is not needed,
 * and not reading it saves ~0.35 ms of CPU per volume. A well-formedness error before the record
 * ends makes the file `malformed` (its record is not used). Text is decoded as UTF-8 unless a BOM
 * or the XML declaration names another encoding the platform's TextDecoder supports.
 */
export class MetsMarcParser {
  private readonly parser = new SaxesParser({ xmlns: true, position: false });
  private readonly stack: SaxesTagNS[] = [];
  private decoder: TextDecoder | null = null;
  private sniffed: Buffer[] = [];
  private sniffedBytes = 0;
  private failure: string | null = null;
  private unsafe: UnsafeXmlError | null = null;
  private record: MarcRecord | null = null;
  private recordDepth = -1;
  private recordDone = false;
  private datafield: MarcDatafield | null = null;
  private capture: Capture | null = null;

  constructor(private readonly entryPath: string) {
    this.parser.on('error', (error) => {
      // Only the first problem matters; stop feeding after it.
      this.failure ??= error.message;
    });
    this.parser.on('doctype', (doctype) => this.checkDoctype(doctype));
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', () => this.close());
    this.parser.on('text', (text) => this.text(text));
    this.parser.on('cdata', (text) => this.text(text));
  }

  /** Feeds bytes of the file. Throws UnsafeXmlError for a DOCTYPE with entities/external DTD. */
  write(chunk: Buffer): void {
    if (this.failure !== null || this.recordDone) return;
    if (this.decoder === null) {
      this.sniffed.push(chunk);
      this.sniffedBytes += chunk.length;
      if (this.sniffedBytes < SNIFF_BYTES) return;
      this.startDecoding();
      return;
    }
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** Ends the file and says what it gave. Throws UnsafeXmlError like `write`. */
  end(): MetsParseOutcome {
    // Nothing is parsed past the record's end; an error before it still makes the file malformed.
    if (this.recordDone && this.failure === null && this.record !== null) return { status: 'record', record: this.record };
    if (this.decoder === null) this.startDecoding();
    if (this.failure === null) this.feed(this.decoder!.decode());
    if (this.failure === null) {
      try {
        this.parser.close();
      } catch (error) {
        this.rethrowUnsafe();
        this.failure ??= error instanceof Error ? error.message : String(error);
      }
    }
    this.rethrowUnsafe();
    if (this.failure !== null) return { status: 'malformed', message: this.failure };
    return { status: 'no_record' };
  }

  private startDecoding(): void {
    const head = Buffer.concat(this.sniffed);
    this.sniffed = [];
    this.decoder = new TextDecoder(sniffEncoding(head));
    this.feed(this.decoder.decode(head, { stream: true }));
  }

  private feed(text: string): void {
    if (this.failure !== null || text === '') return;
    try {
      this.parser.write(text);
    } catch (error) {
      if (error === RECORD_COMPLETE) return;
      this.rethrowUnsafe();
      this.failure ??= error instanceof Error ? error.message : String(error);
    }
    this.rethrowUnsafe();
  }

  private rethrowUnsafe(): void {
    if (this.unsafe !== null) throw this.unsafe;
  }

  private checkDoctype(doctype: string): void {
    let reason: string | null = null;
    if (/<!ENTITY/i.test(doctype)) reason = 'its DOCTYPE declares entities';
    else if (/^\s*[^\s[>]+\s+(SYSTEM|PUBLIC)\b/i.test(doctype)) reason = 'its DOCTYPE references an external DTD';
    if (reason === null) return;
    this.unsafe = new UnsafeXmlError(this.entryPath, reason);
    this.failure ??= reason;
    // Throwing from a handler stops saxes at once; `feed` turns it back into `unsafe`.
    throw this.unsafe;
  }

  private open(tag: SaxesTagNS): void {
    const parent = this.stack.length;
    this.stack.push(tag);
    if (this.recordDone) return;
    if (this.record === null) {
      if (tag.uri === MARC_NAMESPACE && tag.local === 'record' && this.underMetsXmlData()) {
        this.record = { controlfields: [], datafields: [] };
        this.recordDepth = parent + 1;
      }
      return;
    }
    if (tag.uri !== MARC_NAMESPACE) return;
    const record = this.record;
    if (tag.local === 'controlfield') {
      const fieldTag = attribute(tag, 'tag');
      this.startCapture((value) => record.controlfields.push({ tag: fieldTag, value }));
    } else if (tag.local === 'datafield') {
      this.datafield = { tag: attribute(tag, 'tag'), ind1: attribute(tag, 'ind1'), ind2: attribute(tag, 'ind2'), subfields: [] };
      record.datafields.push(this.datafield);
    } else if (tag.local === 'subfield' && this.datafield !== null) {
      const datafield = this.datafield;
      const code = attribute(tag, 'code');
      this.startCapture((value) => datafield.subfields.push({ code, value }));
    }
  }

  private close(): void {
    const depth = this.stack.length;
    const tag = this.stack.pop();
    if (this.capture !== null && this.capture.depth === depth) {
      this.capture.done(this.capture.text);
      this.capture = null;
    }
    if (tag?.uri === MARC_NAMESPACE && tag.local === 'datafield') this.datafield = null;
    if (this.record !== null && !this.recordDone && depth === this.recordDepth) {
      this.recordDone = true;
      // Stops saxes in the middle of the text it was given (a small METS comes in one piece).
      throw RECORD_COMPLETE;
    }
  }

  private text(text: string): void {
    // Only the element's own text, like ElementTree's `.text` of a leaf.
    if (this.capture !== null && this.capture.depth === this.stack.length) this.capture.text += text;
  }

  private startCapture(done: (text: string) => void): void {
    this.capture = { depth: this.stack.length, text: '', done };
  }

  private underMetsXmlData(): boolean {
    const n = this.stack.length; // the record itself is stack[n - 1]
    return (
      n >= 4 &&
      isMets(this.stack[n - 2], 'xmlData') &&
      isMets(this.stack[n - 3], 'mdWrap') &&
      isMets(this.stack[n - 4], 'dmdSec')
    );
  }
}

function isMets(tag: SaxesTagNS | undefined, local: string): boolean {
  return tag !== undefined && tag.uri === METS_NAMESPACE && tag.local === local;
}

function attribute(tag: SaxesTagNS, name: string): string {
  const value = tag.attributes[name];
  // Unprefixed attributes are in no namespace; a prefixed one of the same local name is not it.
  return value !== undefined && value.uri === '' ? value.value.trim() : '';
}

/** Encoding label from a BOM or the XML declaration; UTF-8 when absent or unsupported. */
function sniffEncoding(head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.toString('latin1'));
  if (declared === null) return 'utf-8';
  try {
    return new TextDecoder(declared[1]).encoding;
  } catch {
    return 'utf-8';
  }
}
