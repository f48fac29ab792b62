import { marcColumnsFromRecord, MARC_COLUMN_NAMES, type MarcColumns } from './marc-columns.js';
import { MetsMarcParser } from './mets-marc-parser.js';
import type { EntrySink } from './read-archive.js';

/** What one XML file of the archive gave. */
export interface XmlFileOutcome {
  path: string;
  outcome: 'record' | 'no_record' | 'malformed';
  /** Parser message for `malformed`. */
  detail?: string;
}

/** MARC extraction result of a volume. */
export type MarcResult =
  | {
      status: 'ok';
      columns: MarcColumns;
      /** Number of columns returned (always 17, as the reference's `field_count`). */
      fieldCount: number;
      /** Archive path of the XML file the record came from. */
      sourcePath: string;
      xmlFiles: XmlFileOutcome[];
    }
  | {
      status: 'no_marc';
      /** `no_xml`: the archive has no `.xml` file; `no_record`: none held a usable record. */
      reason: 'no_xml' | 'no_record';
      xmlFiles: XmlFileOutcome[];
    };

/**
 * Tries every `.xml` file of the archive, in archive order, until one yields a MARC record
 * (the earlier tool looked only at the first). An XML file with entities or an external DTD
 * fails the volume with UnsafeXmlError; a malformed one is noted and the search goes on.
 */
export class MarcSearch {
  private readonly tried: XmlFileOutcome[] = [];
  private found: { columns: MarcColumns; sourcePath: string } | null = null;

  /** True if this archive path should be parsed (an XML file, and no record yet). */
  wants(path: string): boolean {
    return this.found === null && path.toLowerCase().endsWith('.xml');
  }

  /** A sink parsing the entry's content. */
  sinkFor(path: string): EntrySink {
    const parser = new MetsMarcParser(path);
    return {
      write: (chunk) => parser.write(chunk),
      end: () => {
        const outcome = parser.end();
        if (outcome.status === 'record') {
          this.tried.push({ path, outcome: 'record' });
          this.found ??= { columns: marcColumnsFromRecord(outcome.record), sourcePath: path };
        } else if (outcome.status === 'malformed') {
          this.tried.push({ path, outcome: 'malformed', detail: outcome.message });
        } else {
          this.tried.push({ path, outcome: 'no_record' });
        }
      },
    };
  }

  /** The result once the whole archive has been read. */
  result(): MarcResult {
    const xmlFiles = [...this.tried];
    if (this.found !== null) {
      return { status: 'ok', columns: this.found.columns, fieldCount: MARC_COLUMN_NAMES.length, sourcePath: this.found.sourcePath, xmlFiles };
    }
    return { status: 'no_marc', reason: xmlFiles.length === 0 ? 'no_xml' : 'no_record', xmlFiles };
  }
}
