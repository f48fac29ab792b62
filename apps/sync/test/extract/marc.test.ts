import { describe, expect, it } from 'vitest';
import { marcColumnsFromRecord, marcYear, MetsMarcParser, UnsafeXmlError, type MarcRecord } from '../../src/extract/index.js';
import { metsXml, type RecordSpec } from './archive-fixtures.js';

/** Parses `xml` fed in chunks of `chunkSize` bytes (boundaries inside multi-byte characters too). */
function parse(xml: string | Buffer, chunkSize = 7): ReturnType<MetsMarcParser['end']> {
  const parser = new MetsMarcParser('test.xml');
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  for (let offset = 0; offset < bytes.length; offset += chunkSize) parser.write(bytes.subarray(offset, offset + chunkSize));
  return parser.end();
}

function columnsOf(spec: RecordSpec): ReturnType<typeof marcColumnsFromRecord> {
  const outcome = parse(metsXml(spec));
  if (outcome.status !== 'record') throw new Error(`no record: ${JSON.stringify(outcome)}`);
  return marcColumnsFromRecord(outcome.record);
}

/** A 40-character 008 with the given type, dates and language. */
function field008(type: string, date1: string, date2: string, language: string): string {
  const value = `750727${type}${date1}${date2}gw br p       0   a0${language} d`;
  expect(value.length).toBe(40);
  return value;
}

describe('marcYear', () => {
  it.each([
    ['1999', '1999'],
    ['1790', '1790'],
    ['0999', '0999'],
    ['9999', null],
    ['uuuu', null],
    ['19uu', null],
    ['    ', null],
    ['199', null],
    ['１９９９', null], // full-width digits are not ASCII digits
  ])('%j -> %j', (slot, expected) => {
    expect(marcYear(slot)).toBe(expected);
  });
});

describe('MARC columns from 008', () => {
  it.each([
    ['s', '1999', '    ', 'eng', { marc_date_type: 's', marc_date_1: '1999', marc_date_2: null, marc_language: 'eng' }],
    ['c', '1790', '9999', 'ger', { marc_date_type: 'c', marc_date_1: '1790', marc_date_2: null, marc_language: 'ger' }],
    ['m', '19uu', 'uuuu', 'fre', { marc_date_type: 'm', marc_date_1: null, marc_date_2: null, marc_language: 'fre' }],
    ['d', '1899', '1999', '   ', { marc_date_type: 'd', marc_date_1: '1899', marc_date_2: '1999', marc_language: null }],
    [' ', '9999', '1999', 'lat', { marc_date_type: null, marc_date_1: null, marc_date_2: '1999', marc_language: 'lat' }],
  ])('type %j dates %j/%j language %j', (type, date1, date2, language, expected) => {
    expect(columnsOf({ controlfields: [['008', field008(type, date1, date2, language)]] })).toMatchObject(expected);
  });

  it('leaves the four 008 columns null when 008 is shorter than 40 characters', () => {
    const short = field008('s', '1999', '2000', 'eng').slice(0, 39);
    expect(columnsOf({ controlfields: [['001', 'x'], ['008', short]] })).toMatchObject({
      marc_control_number: 'x',
      marc_date_type: null,
      marc_date_1: null,
      marc_date_2: null,
      marc_language: null,
    });
  });

  it('gives every column null for an empty record', () => {
    const columns = columnsOf({});
    expect(Object.keys(columns)).toHaveLength(17);
    expect(Object.values(columns).every((value) => value === null)).toBe(true);
  });
});

describe('MARC columns from data fields', () => {
  it('keeps only OCLC numbers among 035 $a', () => {
    expect(columnsOf({ datafields: [['035', [['a', '(DE-599)123']]], ['035', [['a', 'ocm000']]]] }).marc_oclc_numbers).toBeNull();
    expect(
      columnsOf({
        datafields: [
          ['035', [['a', ' (OCoLC)123 ']]],
          ['035', [['a', '(DE-599)123'], ['z', '(OCoLC)cancelled']]],
          ['035', [['a', 'sys(OCoLC)456']]],
        ],
      }).marc_oclc_numbers,
    ).toBe('(OCoLC)123, sys(OCoLC)456');
  });

  it('takes "first" values anywhere in the record and joins "all" values', () => {
    const columns = columnsOf({
      datafields: [
        ['245', [['c', 'by someone']]],
        ['245', [['a', ' First title / '], ['b', 'remainder :']]],
        ['245', [['a', 'Second title']]],
        ['110', [['a', 'Corp.']]],
        ['111', [['a', 'Meeting']]],
        ['050', [['a', 'QA1']]],
        ['050', [['a', 'QA2'], ['a', 'QA3']]],
        ['650', [['a', 'History...']]],
        ['650', [['a', 'Physics. ']]],
        ['655', [['a', 'Maps.']]],
      ],
    });
    expect(columns).toMatchObject({
      marc_title: 'First title /',
      marc_title_remainder: 'remainder :',
      marc_author_corporate: 'Corp.',
      marc_author_meeting: 'Meeting',
      marc_lc_call_number: 'QA1, QA2, QA3',
      marc_subjects: 'History, Physics',
      marc_genres: 'Maps',
    });
  });
});

describe('MetsMarcParser', () => {
  const spec: RecordSpec = { controlfields: [['001', 'ctrl']], datafields: [['245', [['a', 'Tïtle & <more>']]]] };

  it.each([
    ['usual prefixes', { metsPrefix: 'mets', marcPrefix: 'slim' }],
    ['other prefixes', { metsPrefix: 'm', marcPrefix: 'marc' }],
    ['default METS namespace', { metsPrefix: '', marcPrefix: 'slim' }],
    ['default MARC namespace', { metsPrefix: 'mets', marcPrefix: '' }],
  ])('finds the record by namespace URI (%s)', (_label, options) => {
    const outcome = parse(metsXml(spec, options));
    expect(outcome.status).toBe('record');
    if (outcome.status !== 'record') return;
    expect(marcColumnsFromRecord(outcome.record)).toMatchObject({ marc_control_number: 'ctrl', marc_title: 'Tïtle & <more>' });
  });

  it('ignores a record under the right local names but the wrong namespaces', () => {
    const xml = metsXml(spec).replace('xmlns:slim="http://www.loc.gov/MARC21/slim"', 'xmlns:slim="urn:not-marc"');
    expect(parse(xml)).toEqual({ status: 'no_record' });
  });

  it('keeps the first record when dmdSec holds several', () => {
    const xml = metsXml(spec).replace('</mets:dmdSec>', '</mets:dmdSec>' + metsXml({ controlfields: [['001', 'second']] }).split('<mets:mets')[1]!.replace(/^[^>]*>/, '').split('</mets:mets>')[0]);
    const outcome = parse(xml);
    expect(outcome.status).toBe('record');
    if (outcome.status === 'record') expect(marcColumnsFromRecord(outcome.record).marc_control_number).toBe('ctrl');
  });

  it('reads CDATA and character references, and a UTF-8 BOM', () => {
    const xml = metsXml(spec).replace('Tïtle &amp; &lt;more&gt;', '<![CDATA[Tï]]>tle &#x26; &#60;more>');
    const outcome = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]));
    expect(outcome.status).toBe('record');
    if (outcome.status === 'record') expect(marcColumnsFromRecord(outcome.record).marc_title).toBe('Tïtle & <more>');
  });

  it('decodes a document declared ISO-8859-1', () => {
    const xml = metsXml(spec).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    const outcome = parse(Buffer.from(xml, 'latin1'));
    expect(outcome.status).toBe('record');
    if (outcome.status === 'record') expect(marcColumnsFromRecord(outcome.record).marc_title).toBe('Tïtle & <more>');
  });

  it.each([
    ['an external entity', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 'declares entities'],
    ['a PUBLIC external entity', '<!DOCTYPE x [<!ENTITY e PUBLIC "-//X//Y" "http://127.0.0.1:9/x">]>', 'declares entities'],
    ['an internal entity (billion laughs)', '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>', 'declares entities'],
    ['a parameter entity', '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>', 'declares entities'],
    ['an external DTD', '<!DOCTYPE mets SYSTEM "http://127.0.0.1:9/mets.dtd">', 'external DTD'],
    ['an external PUBLIC DTD', '<!DOCTYPE mets PUBLIC "-//LOC//METS" "mets.dtd">', 'external DTD'],
  ])('refuses a DOCTYPE with %s', (_label, doctype, reason) => {
    const xml = metsXml(spec, { prolog: `${doctype}\n` }).replace('ctrl', '&e;ctrl');
    let error: unknown;
    try {
      parse(xml);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsafeXmlError);
    expect((error as UnsafeXmlError).code).toBe('xml_unsafe');
    expect((error as UnsafeXmlError).message).toContain(reason);
    expect((error as UnsafeXmlError).entry).toBe('test.xml');
  });

  it('accepts a plain DOCTYPE without declarations', () => {
    expect(parse(metsXml(spec, { prolog: '<!DOCTYPE mets>\n' })).status).toBe('record');
  });

  it('treats an undefined entity reference as malformed, never resolving it', () => {
    const outcome = parse(metsXml(spec).replace('ctrl', '&xxe;'));
    expect(outcome.status).toBe('malformed');
  });

  it('stops at the end of the record: what follows it is not read', () => {
    const xml = metsXml(spec);
    const recordEnd = xml.indexOf('</slim:record>') + '</slim:record>'.length;
    expect(recordEnd).toBeGreaterThan(20);
    for (const rest of ['', '<broken', '</mets:mets></extra>', '&undefined;']) {
      expect(parse(xml.slice(0, recordEnd) + rest)).toEqual(parse(xml));
    }
    expect(parse(xml).status).toBe('record');
  });

  it('reports a document cut or broken inside the record as malformed', () => {
    const xml = metsXml(spec);
    const recordEnd = xml.indexOf('</slim:record>');
    expect(parse(xml.slice(0, recordEnd)).status).toBe('malformed');
    expect(parse(`${xml.slice(0, recordEnd)}<oops>${xml.slice(recordEnd)}`).status).toBe('malformed');
  });
});

describe('marcColumnsFromRecord on a raw record', () => {
  it('uses the first 001 and 008 and ignores indicators', () => {
    const record: MarcRecord = {
      controlfields: [
        { tag: '001', value: 'first' },
        { tag: '001', value: 'second' },
      ],
      datafields: [{ tag: '010', ind1: '1', ind2: '2', subfields: [{ code: 'a', value: ' sn 123 ' }] }],
    };
    expect(marcColumnsFromRecord(record)).toMatchObject({ marc_control_number: 'first', marc_lccn: 'sn 123' });
  });
});
