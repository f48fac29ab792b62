/**
 * Typed errors of the extraction stages. Each carries a stable `code`, a `hint` for the user and
 * `retryable` (whether trying the same volume again can help: a hostile or corrupt archive stays
 * so, an interrupted run does not).
 */

export interface ExtractionErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** Base class of all extraction errors. */
export abstract class ExtractionError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly hint: string;

  constructor(message: string, options: ExtractionErrorOptions, defaultHint: string) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint ?? defaultHint;
  }
}

/**
 * An archive entry that could land outside the volume's directory or is not a plain file,
 * directory or link: absolute path, `..` segment, link pointing out, a path through a link,
 * device or FIFO. The whole volume is refused; nothing of it is kept.
 */
export class UnsafeArchiveError extends ExtractionError {
  override readonly name = 'UnsafeArchiveError';
  readonly code = 'archive_unsafe';
  readonly retryable = false;
  /** The entry's path exactly as written in the archive. */
  readonly entry: string;
  constructor(entry: string, reason: string, options: ExtractionErrorOptions = {}) {
    super(
      `archive entry ${JSON.stringify(entry)} refused: ${reason}`,
      options,
      'The archive contains an entry that could write outside its directory or is a special ' +
        'file. It was not extracted; report the volume to Google if it came from GRIN.',
    );
    this.entry = entry;
  }
}

/** The decrypted archive is not a readable gzip'd tar (bad gzip, bad tar header, truncated). */
export class CorruptArchiveError extends ExtractionError {
  override readonly name = 'CorruptArchiveError';
  readonly code = 'archive_corrupt';
  readonly retryable = false;
  constructor(message: string, options: ExtractionErrorOptions = {}) {
    super(
      message,
      options,
      'The decrypted archive is damaged. Download the volume again (force a re-sync); if it ' +
        'stays damaged, report it to Google.',
    );
  }
}

/**
 * An XML file of the archive declares entities or an external DTD. Such a document is never
 * parsed further (no entity is ever resolved) and the volume is refused.
 */
export class UnsafeXmlError extends ExtractionError {
  override readonly name = 'UnsafeXmlError';
  readonly code = 'xml_unsafe';
  readonly retryable = false;
  /** The archive path of the XML file. */
  readonly entry: string;
  constructor(entry: string, reason: string, options: ExtractionErrorOptions = {}) {
    super(
      `XML file ${JSON.stringify(entry)} refused: ${reason}`,
      options,
      'The METS/XML file declares entities or an external DTD, which this tool never resolves. ' +
        'Report the volume to Google if it came from GRIN.',
    );
    this.entry = entry;
  }
}

/** A page file is larger than the configured limit (a page of text is normally a few KB). */
export class OcrPageTooLargeError extends ExtractionError {
  override readonly name = 'OcrPageTooLargeError';
  readonly code = 'ocr_page_too_large';
  readonly retryable = false;
  readonly entry: string;
  constructor(entry: string, limit: number, options: ExtractionErrorOptions = {}) {
    super(
      `OCR page ${JSON.stringify(entry)} is larger than ${limit} bytes`,
      options,
      'The page text file is implausibly large; the archive is probably not a GRIN volume.',
    );
    this.entry = entry;
  }
}

/** `unpackArchive` was given a destination that already holds files. */
export class UnpackDestinationError extends ExtractionError {
  override readonly name = 'UnpackDestinationError';
  readonly code = 'unpack_destination_not_empty';
  readonly retryable = false;
  readonly path: string;
  constructor(path: string, options: ExtractionErrorOptions = {}) {
    super(
      `unpack destination ${path} exists and is not an empty directory`,
      options,
      'Unpack into a new or empty directory (the staging area gives each volume its own).',
    );
    this.path = path;
  }
}

/** The operation was stopped by its AbortSignal. */
export class ExtractionAbortedError extends ExtractionError {
  override readonly name = 'ExtractionAbortedError';
  readonly code = 'extraction_aborted';
  readonly retryable = true;
  constructor(options: ExtractionErrorOptions = {}) {
    super('extraction aborted', options, 'The run was interrupted; the volume will be processed again.');
  }
}
