import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

/** One entry of a test archive, written with tar-stream exactly as given (no sanitising). */
export interface TestEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** Builds an uncompressed tar in memory. */
export async function buildTar(entries: TestEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const header: tar.Header = {
      name: entry.name,
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      size: 0,
      mtime: new Date(0),
      linkname: entry.linkname ?? '',
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      devmajor: type.endsWith('device') ? 1 : 0,
      devminor: type.endsWith('device') ? 3 : 0,
    };
    if (type === 'file') {
      const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : (entry.content ?? Buffer.alloc(0));
      await new Promise<void>((resolve, reject) =>
        pack.entry({ ...header, size: content.length }, content, (error) => (error ? reject(error) : resolve())),
      );
    } else {
      await new Promise<void>((resolve, reject) => pack.entry(header, (error) => (error ? reject(error) : resolve())));
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Builds a gzip'd tar in memory. */
export async function buildTarGz(entries: TestEntry[]): Promise<Buffer> {
  return gzipSync(await buildTar(entries), { level: 1 });
}

/** A readable over `data` in small chunks, so every parser sees split boundaries. */
export function streamOf(data: Buffer, chunkSize = 777): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) chunks.push(data.subarray(offset, offset + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

/** Bytes of pseudo-image data (incompressible). */
export function imageBytes(size: number): Buffer {
  return randomBytes(size);
}

export interface RecordSpec {
  controlfields?: [tag: string, value: string][];
  datafields?: [tag: string, subfields: [code: string, value: string][]][];
}

export interface MetsOptions {
  /** Prefix for METS elements; '' = default namespace. */
  metsPrefix?: string;
  /** Prefix for MARC elements; '' = default namespace declared on the record. */
  marcPrefix?: string;
  /** Text inserted before the root element (e.g. a DOCTYPE). */
  prolog?: string;
  /** Wrap the record somewhere other than dmdSec/mdWrap/xmlData (to test "no record"). */
  misplaced?: boolean;
}

/** A METS document wrapping a MARCXML record, as GRIN's `BARCODE.xml`. */
export function metsXml(record: RecordSpec, options: MetsOptions = {}): string {
  const m = options.metsPrefix ?? 'mets';
  const s = options.marcPrefix ?? 'slim';
  const mt = (local: string): string => (m === '' ? local : `${m}:${local}`);
  const st = (local: string): string => (s === '' ? local : `${s}:${local}`);
  const metsNs = m === '' ? 'xmlns="http://www.loc.gov/METS/"' : `xmlns:${m}="http://www.loc.gov/METS/"`;
  const marcNs = s === '' ? 'xmlns="http://www.loc.gov/MARC21/slim"' : `xmlns:${s}="http://www.loc.gov/MARC21/slim"`;
  const fields = [
    ...(record.controlfields ?? []).map(([tag, value]) => `<${st('controlfield')} tag="${tag}">${escapeXml(value)}</${st('controlfield')}>`),
    ...(record.datafields ?? []).map(
      ([tag, subfields]) =>
        `<${st('datafield')} tag="${tag}" ind1=" " ind2="0">` +
        subfields.map(([code, value]) => `<${st('subfield')} code="${code}">${escapeXml(value)}</${st('subfield')}>`).join('\n      ') +
        `</${st('datafield')}>`,
    ),
  ].join('\n      ');
  const recordXml = `<${st('record')} ${marcNs}>\n      <${st('leader')}>00000nam a2200000 a 4500</${st('leader')}>\n      ${fields}\n    </${st('record')}>`;
  const wrapped = options.misplaced
    ? `<${mt('amdSec')}><${mt('techMD')}><${mt('mdWrap')}><${mt('xmlData')}>${recordXml}</${mt('xmlData')}></${mt('mdWrap')}></${mt('techMD')}></${mt('amdSec')}>`
    : `<${mt('dmdSec')} ID="DMD1">\n  <${mt('mdWrap')} MDTYPE="MARC">\n   <${mt('xmlData')}>\n    ${recordXml}\n   </${mt('xmlData')}>\n  </${mt('mdWrap')}>\n </${mt('dmdSec')}>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n${options.prolog ?? ''}` +
    `<${mt('mets')} ${metsNs} xmlns:xlink="http://www.w3.org/1999/xlink">\n ${wrapped}\n` +
    ` <${mt('fileSec')}><${mt('fileGrp')} USE="image"><${mt('file')} ID="IMG1"><${mt('FLocat')} xlink:href="00000001.jp2"/></${mt('file')}></${mt('fileGrp')}></${mt('fileSec')}>\n` +
    `</${mt('mets')}>\n`
  );
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An 8-digit page file name. */
export function pageName(page: number, extension: string): string {
  return `${String(page).padStart(8, '0')}.${extension}`;
}

/** Decodes an OCR JSONL (gzip'd or not) into its page strings. */
export function parseJsonl(data: Buffer, gzipped: boolean): string[] {
  const text = (gzipped ? gunzipSync(data) : data).toString('utf8');
  expectTrailingNewline(text);
  return text === '' ? [] : text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as string);
}

function expectTrailingNewline(text: string): void {
  if (text !== '' && !text.endsWith('\n')) throw new Error('JSONL does not end with a newline');
}

/** A temp directory with a `staging` child: tests check the parent stays as it was. */
export async function makeSandbox(): Promise<{ root: string; staging: string; listing: () => Promise<string[]>; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'grin-extract-test-'));
  const staging = join(root, 'staging');
  await mkdir(staging);
  return {
    root,
    staging,
    listing: () => listRecursive(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Every path under `dir` (relative, sorted), symlinks not followed. */
export async function listRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: false });
  return entries.map(String).sort();
}
