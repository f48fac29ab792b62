export { extractVolume, startVolumeExtraction, type ExtractVolumeOptions, type VolumeExtraction, type VolumeExtractionRun } from './extract-volume.js';
export { readArchive, startArchiveRead, type ArchiveReader, type ArchiveEntry, type ArchiveEntryHandler, type ArchiveSummary, type EntrySink, type ReadArchiveOptions } from './read-archive.js';
export { unpackArchive, type UnpackOptions, type UnpackSummary } from './unpack-archive.js';
export { EntryGuard, normalizeEntryPath, type CheckedEntry, type RawEntryHeader, type SafeEntryType } from './entry-guard.js';
export { MarcSearch, type MarcResult, type XmlFileOutcome } from './marc-search.js';
export { MetsMarcParser, type MetsParseOutcome } from './mets-marc-parser.js';
export { marcColumnsFromRecord, marcYear, MARC_COLUMN_NAMES, type MarcColumnName, type MarcColumns } from './marc-columns.js';
export { MARC_NAMESPACE, METS_NAMESPACE, type MarcDatafield, type MarcRecord } from './marc-record.js';
export { OcrCollector, type OcrCollectorOptions, type OcrResult } from './ocr-collector.js';
export { OcrPageAssembler, type OcrPageAssemblerOptions } from './ocr-page-assembler.js';
export { OcrJsonlWriter, type OcrJsonlWriterOptions } from './ocr-jsonl-writer.js';
export { ocrFileName, ocrPageNumber, MAX_OCR_PAGE } from './ocr-page-name.js';
export {
  CorruptArchiveError,
  ExtractionAbortedError,
  ExtractionError,
  OcrPageTooLargeError,
  UnpackDestinationError,
  UnsafeArchiveError,
  UnsafeXmlError,
  type ExtractionErrorOptions,
} from './extract-errors.js';
