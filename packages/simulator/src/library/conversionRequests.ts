import type { ConversionClass, Library } from './library.js';

/** Reference 1.8 wordings. */
export const PROCESS_STATUS: Record<ConversionClass, string> = {
  success: 'Success',
  'already-available': 'Already available for download',
  'already-in-process': 'Book is already in process for conversion',
  'not-available': 'Book not available for conversion',
};

export type ConversionResult =
  | { kind: 'queue-full'; inProcess: number; limit: number }
  | { kind: 'done'; lines: { barcode: string; status: string }[]; started: number };

/**
 * `_process` semantics: the request is refused as a whole (429) when accepting its convertible
 * books would take the queue past the limit; otherwise each barcode gets its status and the
 * convertible ones go in process.
 */
export function requestConversions(library: Library, barcodes: readonly string[], queueLimit: number): ConversionResult {
  library.settle();
  const convertible = new Set<number>();
  for (const barcode of barcodes) {
    const index = library.indexOf(barcode);
    if (index !== undefined && library.classifyConversion(index) === 'success') convertible.add(index);
  }
  const inProcess = library.inProcessCount();
  if (inProcess >= queueLimit || (convertible.size > 0 && inProcess + convertible.size > queueLimit)) {
    return { kind: 'queue-full', inProcess, limit: queueLimit };
  }
  const lines = barcodes.map((barcode) => {
    const index = library.indexOf(barcode);
    if (index === undefined) return { barcode, status: PROCESS_STATUS['not-available'] };
    const kind = library.classifyConversion(index);
    if (kind === 'success') library.startConversion(index);
    return { barcode, status: PROCESS_STATUS[kind] };
  });
  return { kind: 'done', lines, started: convertible.size };
}
