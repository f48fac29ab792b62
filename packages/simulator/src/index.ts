export { startSimulator } from './startSimulator.js';
export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export type {
  SimulatorOptions,
  RunningSimulator,
  SimulatorStats,
  LoggedRequest,
  ListingPageServed,
  WriteCredentialsOptions,
} from './simulatorTypes.js';
export type { FaultKind, FaultRule, SimulatorEndpoint } from './faults/faultTypes.js';
export type {
  GrinState,
  ListName,
  SimulatedBook,
  SimulatedLibrary,
  CurrentBookState,
  ConversionFailure,
  ArchiveTruth,
  ArchiveEntry,
  MarcRecord,
  MarcDatafield,
  MarcSubfield,
} from './types.js';
export { Library, type LibraryOptions } from './library/library.js';
export { BarcodeMapping, MAX_LIBRARY_SIZE } from './library/barcodeMapping.js';
export { BARCODE_SEARCH_COLUMNS } from './library/enrichment.js';
export { PROCESS_STATUS } from './library/conversionRequests.js';
export { formatGrinDate, parseGrinDate } from './library/grinDate.js';
export { MARC_COLUMNS, expectedMarcColumns } from './archive/expectedMarc.js';
export { METS_NS, MARC_NS } from './archive/metsXml.js';
export { GRIN_SCOPES } from './auth/tokenAuthority.js';
export { runCli } from './cli/runCli.js';
