import type { MarcRecord } from '../types.js';

export const METS_NS = 'http://www.loc.gov/METS/';
export const MARC_NS = 'http://www.loc.gov/MARC21/slim';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeXml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => XML_ESCAPES[c] as string);
}

export interface MetsFile {
  id: string;
  path: string;
  mimetype: string;
  size: number;
}

/** METS document with the MARC record at mets:dmdSec/mets:mdWrap/mets:xmlData/slim:record. */
export function renderMets(barcode: string, record: MarcRecord, files: readonly MetsFile[], createdIso: string): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<mets:mets xmlns:mets="${METS_NS}" xmlns:slim="${MARC_NS}" xmlns:xlink="http://www.w3.org/1999/xlink"` +
      ` OBJID="${escapeXml(barcode)}" TYPE="volume">`,
    `  <mets:metsHdr CREATEDATE="${createdIso}"><mets:agent ROLE="CREATOR" TYPE="ORGANIZATION"><mets:name>Google, Inc.</mets:name></mets:agent></mets:metsHdr>`,
    '  <mets:dmdSec ID="DMD1">',
    '    <mets:mdWrap MDTYPE="MARC" LABEL="library catalog record">',
    '      <mets:xmlData>',
    '        <slim:record>',
    `          <slim:leader>${escapeXml(record.leader)}</slim:leader>`,
  ];
  for (const [tag, value] of Object.entries(record.controlfields)) {
    out.push(`          <slim:controlfield tag="${tag}">${escapeXml(value)}</slim:controlfield>`);
  }
  for (const field of record.datafields) {
    out.push(`          <slim:datafield tag="${field.tag}" ind1="${field.ind1}" ind2="${field.ind2}">`);
    for (const sub of field.subfields) {
      out.push(`            <slim:subfield code="${sub.code}">${escapeXml(sub.value)}</slim:subfield>`);
    }
    out.push('          </slim:datafield>');
  }
  out.push('        </slim:record>', '      </mets:xmlData>', '    </mets:mdWrap>', '  </mets:dmdSec>', '  <mets:fileSec>');
  for (const group of ['image', 'ocr', 'hocr'] as const) {
    out.push(`    <mets:fileGrp USE="${group}">`);
    for (const file of files) {
      if (!file.id.startsWith(group.toUpperCase())) continue;
      out.push(
        `      <mets:file ID="${file.id}" MIMETYPE="${file.mimetype}" SIZE="${file.size}">` +
          `<mets:FLocat LOCTYPE="OTHER" OTHERLOCTYPE="SYSTEM" xlink:href="${file.path}"/></mets:file>`,
      );
    }
    out.push('    </mets:fileGrp>');
  }
  out.push('  </mets:fileSec>', '  <mets:structMap TYPE="physical">', '    <mets:div TYPE="volume">');
  const pages = new Map<string, string[]>();
  for (const file of files) {
    const seq = file.path.slice(0, 8);
    pages.set(seq, [...(pages.get(seq) ?? []), file.id]);
  }
  for (const [seq, ids] of pages) {
    out.push(`      <mets:div TYPE="page" ORDER="${Number(seq)}">${ids.map((id) => `<mets:fptr FILEID="${id}"/>`).join('')}</mets:div>`);
  }
  out.push('    </mets:div>', '  </mets:structMap>', '</mets:mets>', '');
  return out.join('\n');
}
