/** A MARC21 record as found in the METS file: fields in document order, text untrimmed. */
export interface MarcRecord {
  controlfields: { tag: string; value: string }[];
  datafields: MarcDatafield[];
}

export interface MarcDatafield {
  tag: string;
  ind1: string;
  ind2: string;
  subfields: { code: string; value: string }[];
}

/** Namespace URI of METS documents. */
export const METS_NAMESPACE = 'http://www.loc.gov/METS/';
/** Namespace URI of MARCXML (the `slim` schema). */
export const MARC_NAMESPACE = 'http://www.loc.gov/MARC21/slim';
