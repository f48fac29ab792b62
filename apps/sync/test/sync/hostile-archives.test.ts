import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { buildTarGz, imageBytes, metsXml, pageName, parseJsonl, type TestEntry } from '../extract/archive-fixtures.js';
import { RECORD } from '../extract/volume-fixture.js';
import { startArchiveProxy, gpgEncrypt, type ArchiveProxy } from '../helpers/archive-proxy.js';
import { checkExtracted } from '../helpers/extraction-check.js';
import { listFiles, startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;
let proxy: ArchiveProxy;
const tag = randomBytes(4).toString('hex');
/** Where the hostile entries would land if they were ever written. */
const escapes = {
  dotdot: `grin-escape-dotdot-${tag}.txt`,
  absolute: join(tmpdir(), `grin-escape-absolute-${tag}.txt`),
  link: `grin-escape-link-${tag}.txt`,
};

const good: TestEntry[] = [
  { name: 'vol/VOL.xml', content: metsXml(RECORD) },
  { name: `vol/${pageName(1, 'txt')}`, content: 'first page' },
  { name: `vol/${pageName(1, 'jp2')}`, content: imageBytes(20_000) },
  { name: `vol/${pageName(2, 'txt')}`, content: 'second page' },
];

/** Hand-made archives, by barcode: hostile ones (refused), and two odd but legitimate ones. */
const archives: Record<string, TestEntry[]> = {
  EVILDOTDOT: [...good, { name: `vol/../../../${escapes.dotdot}`, content: 'escaped' }],
  EVILABSOLUTE: [...good, { name: escapes.absolute, content: 'escaped' }],
  EVILSYMLINK: [...good, { name: 'vol/out', type: 'symlink', linkname: '../../../../../../../..' + tmpdir() }, { name: `vol/out/${escapes.link}`, content: 'escaped' }],
  EVILXXE: [
    { name: 'vol/VOL.xml', content: metsXml(RECORD, { prolog: '<!DOCTYPE mets [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' }).replace('Annalen', '&e;Annalen') },
    ...good.slice(1),
  ],
  NOMARCVOL: good.filter((e) => !e.name.endsWith('.xml')),
  NOOCRVOL: good.filter((e) => !e.name.endsWith('.txt')),
};

beforeAll(async () => {
  h = await startHarness({ books: 60 });
  proxy = await startArchiveProxy(h.sim.url);
  for (const [barcode, entries] of Object.entries(archives)) {
    proxy.serve(barcode, await gpgEncrypt(await buildTarGz(entries), h.passphraseFile));
  }
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await h?.close();
});

/** Every file name anywhere under `dir` (recursive), symlinks not followed. */
async function allNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map((p) => String(p).split('/').at(-1) as string);
}

describe('hostile archives in a run', { timeout: 90_000 }, () => {
  it('each is refused with a clear reason, nothing lands outside the staging area, the run goes on; a rerun reads them back from storage and refuses them again', async () => {
    const sim = h.converted(4);
    const barcodes = [sim[0], 'EVILDOTDOT', sim[1], 'EVILABSOLUTE', 'EVILSYMLINK', sim[2], 'EVILXXE', 'NOMARCVOL', 'NOOCRVOL', sim[3]] as string[];
    const storage = join(h.workDir, 'store-hostile');
    const grinArgs = h.grinArgs.map((a) => (a === h.sim.grinBaseUrl ? proxy.grinBaseUrl : a));
    const args = ['--run-name', 'hostile', '--barcodes', barcodes.join(','), ...grinArgs, '--storage', 'local', '--storage-path', storage, '--download-concurrency', '2', '--workers', '2'];
    const run = await h.run(args);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('10 selected, 6 synced, 0 skipped, 0 not available on GRIN, 4 failed');
    expect(run.stdout).toMatch(/EVILDOTDOT \(extract\): .*archive entry ".*grin-escape-dotdot.*" refused: .*\.\./);
    expect(run.stdout).toMatch(/EVILABSOLUTE \(extract\): .*archive entry ".*grin-escape-absolute.*" refused: .*absolute/);
    expect(run.stdout).toMatch(/EVILSYMLINK \(extract\): .*archive entry "vol\/out" refused/);
    expect(run.stdout).toMatch(/EVILXXE \(extract\): .*XML file "vol\/VOL.xml" refused/);
    let pages = 2; // NOMARCVOL's
    for (const b of sim) pages += (await h.sim.library.archive(b)).ocrPages.length;
    expect(run.stdout).toContain(`extracted: 5 MARC records, 1 volume without MARC; 5 OCR files (${pages} pages), 1 volume without page text; 4 failed (archive_unsafe 3, xml_unsafe 1)`);

    // Nothing escaped: not next to the run, the storage, the staging area, nor in the temp dir.
    expect(existsSync(escapes.absolute)).toBe(false);
    expect(existsSync(join(tmpdir(), escapes.link))).toBe(false);
    const names = [...(await allNames(h.workDir)), ...(await readdir(tmpdir()))];
    expect(names.filter((n) => n.includes(tag))).toEqual([]);
    // The staging area is empty again (every volume's work directory removed).
    expect(await readdir(join(h.runDir('hostile'), 'staging'))).toEqual([]);

    // The real volumes were synced and extracted; the odd ones too, recorded as such.
    expect(await checkExtracted(h, 'hostile', { kind: 'local', storageDir: storage }, sim)).toEqual([]);
    const catalogue = openCatalogue(join(h.runDir('hostile'), 'books.db'), { readonly: true });
    try {
      for (const b of ['EVILDOTDOT', 'EVILABSOLUTE', 'EVILSYMLINK', 'EVILXXE']) {
        expect(catalogue.isSynced(b), b).toBe(false);
        expect(catalogue.latestStatus(b, 'sync')?.metadata).toMatchObject({ step: 'extract' });
      }
      for (const b of ['EVILDOTDOT', 'EVILABSOLUTE', 'EVILSYMLINK']) {
        expect(catalogue.getStatusHistory(b, 'sync').map((e) => e.statusValue)).toContain('unpack_failed');
      }
      expect(catalogue.latestStatus('EVILXXE', 'marc_extraction')).toMatchObject({ statusValue: 'failed' });
      expect(String(catalogue.latestStatus('EVILXXE', 'marc_extraction')?.metadata?.['error'])).toContain('xml_unsafe');

      expect(catalogue.isSynced('NOMARCVOL')).toBe(true);
      expect(catalogue.latestStatus('NOMARCVOL', 'marc_extraction')).toMatchObject({ statusValue: 'no_marc', metadata: { reason: 'no_xml' } });
      expect(catalogue.getBook('NOMARCVOL')?.marc_extraction_timestamp).toBeNull();
      expect(catalogue.latestStatus('NOMARCVOL', 'text_extraction')).toMatchObject({ statusValue: 'completed', metadata: { page_count: 2 } });
      const pages = parseJsonl(await readFile(join(storage, 'full', 'hostile', 'NOMARCVOL_ocr.jsonl.gz')), true);
      expect(pages).toEqual(['first page', 'second page']);

      expect(catalogue.isSynced('NOOCRVOL')).toBe(true);
      expect(catalogue.latestStatus('NOOCRVOL', 'text_extraction')).toMatchObject({ statusValue: 'no_ocr' });
      expect(catalogue.getBook('NOOCRVOL')?.marc_title).toBe('Annalen der Physik.');
      expect(existsSync(join(storage, 'full', 'hostile', 'NOOCRVOL_ocr.jsonl.gz'))).toBe(false);
    } finally {
      catalogue.close();
    }
    // The refused archives' raw copies stay stored (verified decryptions of what GRIN serves);
    // they are not synced, so the next run reads them back instead of downloading them.
    const raw = await listFiles(join(storage, 'raw'));
    for (const b of ['EVILDOTDOT', 'EVILABSOLUTE', 'EVILSYMLINK', 'EVILXXE']) expect(raw).toContain(`${b}/${b}.tar.gz`);

    const getsBefore = Object.fromEntries(['EVILDOTDOT', 'EVILABSOLUTE', 'EVILSYMLINK', 'EVILXXE'].map((b) => [b, proxy.gets(b)]));
    const seq = h.seq();
    const again = await h.run(args);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('10 selected, 0 synced, 6 skipped (etag_match 6), 0 not available on GRIN, 4 failed');
    expect(again.stdout).toContain('4 failed (archive_unsafe 3, xml_unsafe 1)');
    for (const [b, n] of Object.entries(getsBefore)) expect(proxy.gets(b), b).toBe(n);
    expect(h.downloads(seq).size).toBe(0);
    expect(existsSync(escapes.absolute)).toBe(false);
    expect((await allNames(h.workDir)).filter((n) => n.includes(tag))).toEqual([]);
  });

  it('a new version of a volume without page text removes the OCR file the earlier version stored', async () => {
    const storage = join(h.workDir, 'store-ocrgone');
    const grinArgs = h.grinArgs.map((a) => (a === h.sim.grinBaseUrl ? proxy.grinBaseUrl : a));
    const args = ['--run-name', 'ocrgone', '--barcodes', 'OCRGONE', ...grinArgs, '--storage', 'local', '--storage-path', storage];
    proxy.serve('OCRGONE', await gpgEncrypt(await buildTarGz(good), h.passphraseFile));
    expect((await h.run(args)).code).toBe(0);
    expect(await listFiles(join(storage, 'full'))).toEqual(['ocrgone/OCRGONE_ocr.jsonl.gz']);

    // GRIN now serves another version (new ETag) without page text.
    proxy.serve('OCRGONE', await gpgEncrypt(await buildTarGz(archives['NOOCRVOL'] as TestEntry[]), h.passphraseFile));
    const again = await h.run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 synced');
    expect(await listFiles(join(storage, 'full'))).toEqual([]);
    const catalogue = openCatalogue(join(h.runDir('ocrgone'), 'books.db'), { readonly: true });
    try {
      expect(catalogue.latestStatus('OCRGONE', 'text_extraction')).toMatchObject({ statusValue: 'no_ocr' });
    } finally {
      catalogue.close();
    }
  });
});
