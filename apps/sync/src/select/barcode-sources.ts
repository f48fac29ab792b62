import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { SyncError } from '../stages/sync-errors.js';
import { assertValidBarcode } from './barcode.js';

/** Barcodes known before the run starts: validated completely before any other I/O. */
export interface BarcodeList {
  /** How many barcodes will be yielded (duplicates included). */
  readonly count: number;
  /** Yields the barcodes lazily, in the given order. */
  barcodes(): AsyncIterable<string>;
  /** The first few barcodes, for the dry-run preview. */
  readonly first: readonly string[];
}

const PREVIEW = 10;

/** `--barcodes B1,B2`: empty elements (a trailing comma) are ignored; nothing is trimmed. */
export function barcodesFromArgument(text: string): BarcodeList {
  const list = text.split(',').filter((b) => b !== '');
  list.forEach((b, i) => assertValidBarcode(b, `--barcodes element ${i + 1}`));
  return {
    count: list.length,
    first: list.slice(0, PREVIEW),
    async *barcodes() {
      yield* list;
    },
  };
}

/** A line of a barcodes file: null for blank lines and `#` comments; a trailing CR is dropped. */
function lineBarcode(raw: string): string | null {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '' || line.startsWith('#')) return null;
  return line;
}

async function* fileLines(input: Readable): AsyncGenerator<string> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

function openFile(path: string): Readable {
  return createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
}

function fileError(path: string, err: unknown): SyncError {
  const code = (err as { code?: string }).code;
  const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})`;
  return new SyncError('barcodes_file', `barcodes file ${path} ${why}`, {
    hint: 'Give a text file with one barcode per line (blank lines and lines starting with # are ignored), or - for standard input.',
    retryable: false,
    cause: err,
  });
}

/**
 * `--barcodes-file F`: one barcode per line; blank lines and `#` lines ignored. The file is read
 * twice — once to validate and count everything before any other I/O, once lazily while
 * syncing — so memory stays flat for a million lines. `-` reads standard input, which cannot be
 * read twice: its barcodes are held in memory (about 60 bytes each).
 */
export async function barcodesFromFile(path: string, stdin: Readable): Promise<BarcodeList> {
  const first: string[] = [];
  if (path === '-') {
    const all: string[] = [];
    let n = 0;
    for await (const raw of fileLines(stdin)) {
      n++;
      const b = lineBarcode(raw);
      if (b === null) continue;
      assertValidBarcode(b, `standard input line ${n}`);
      all.push(b);
    }
    return {
      count: all.length,
      first: all.slice(0, PREVIEW),
      async *barcodes() {
        yield* all;
      },
    };
  }
  let count = 0;
  let n = 0;
  try {
    for await (const raw of fileLines(openFile(path))) {
      n++;
      const b = lineBarcode(raw);
      if (b === null) continue;
      assertValidBarcode(b, `${path} line ${n}`);
      if (first.length < PREVIEW) first.push(b);
      count++;
    }
  } catch (err) {
    if (err instanceof SyncError) throw err;
    throw fileError(path, err);
  }
  return {
    count,
    first,
    async *barcodes() {
      let seen = 0;
      try {
        for await (const raw of fileLines(openFile(path))) {
          const b = lineBarcode(raw);
          if (b === null) continue;
          // The file may have been edited since it was validated: check again, and never yield more.
          assertValidBarcode(b, path);
          if (++seen > count) return;
          yield b;
        }
      } catch (err) {
        if (err instanceof SyncError) throw err;
        throw fileError(path, err);
      }
    },
  };
}
