import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedBook } from '../src/index.js';
import { planArchive } from '../src/archive/archivePlan.js';
import { expectedMarcColumns } from '../src/archive/expectedMarc.js';
import { generateMarcRecord } from '../src/archive/marcRecord.js';
import { renderMets } from '../src/archive/metsXml.js';
import { seedKey } from '../src/library/random.js';
import { extractMarcColumns, findMarcRecord, gpgDecrypt, listTarGz } from './helpers/archiveTools.js';
import type { TestSim } from './helpers/http.js';
import { useTestSims } from './helpers/testSims.js';

const exec = promisify(execFile);
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'grin-sim-archive-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sim = useTestSims();

function convertedBooks(t: TestSim, count: number, predicate: (b: SimulatedBook) => boolean = () => true): SimulatedBook[] {
  const out: SimulatedBook[] = [];
  for (const b of t.sim.library.listing('_converted')) {
    if (predicate(b)) out.push(b);
    if (out.length === count) break;
  }
  return out;
}

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('archives', () => {
  it('serves HEAD and GET with a stable quoted ETag and Content-Length; one generation for concurrent requests', async () => {
    const t = await sim({ books: 300, seed: 40 });
    const [book] = convertedBooks(t, 1);
    const path = t.lib(`${book!.barcode}.tar.gz.gpg`);
    const results = await Promise.all([
      t.get(path, { method: 'HEAD' }), t.get(path), t.get(path, { method: 'HEAD' }), t.sim.library.archive(book!.barcode), t.get(path),
    ]);
    const [head1, get1, head2, truth, get2] = results as [Awaited<ReturnType<TestSim['get']>>, Awaited<ReturnType<TestSim['get']>>, Awaited<ReturnType<TestSim['get']>>, Awaited<ReturnType<TestSim['sim']['library']['archive']>>, Awaited<ReturnType<TestSim['get']>>];
    expect(t.sim.stats().archivesGenerated).toBe(1);
    for (const r of [head1, get1, head2, get2]) {
      expect(r.status).toBe(200);
      expect(r.headers.etag).toBe(`"${truth.etag}"`);
      expect(Number(r.headers['content-length'])).toBe(truth.encryptedSize);
    }
    expect(get1.body.length).toBe(truth.encryptedSize);
    expect(md5(get1.body)).toBe(truth.etag);
    expect(get2.body.equals(get1.body)).toBe(true);
    expect(head1.body.length).toBe(0);
    expect(get1.body.subarray(0, 1)[0]! & 0x80).toBe(0x80); // an OpenPGP packet
    expect(t.sim.stats().archiveBytesServed).toBe(2 * truth.encryptedSize);
  });

  it('decrypts with the real gpg and a passphrase file to the plaintext, whose tar lists METS, OCR and images', async () => {
    const t = await sim({ books: 400, seed: 41, passphrase: 'three random words' });
    const [book] = convertedBooks(t, 1);
    const get = await t.get(t.lib(`${book!.barcode}.tar.gz.gpg`));
    const truth = await t.sim.library.archive(book!.barcode);
    const encrypted = join(work, `${book!.barcode}.tar.gz.gpg`);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(encrypted, get.body);
    const out = join(work, `${book!.barcode}.tar.gz`);
    const stderr = await gpgDecrypt(encrypted, 'three random words', out);
    expect(stderr).not.toContain('WARNING');
    const plain = await readFile(out);
    expect(sha256(plain)).toBe(truth.plaintextSha256);
    expect(plain.equals(await readFile(truth.plaintextPath))).toBe(true);
    expect(plain.subarray(0, 2).toString('hex')).toBe('1f8b');

    // Standard tools accept the gzip member (compressed text mixed with stored image blocks).
    await exec('gzip', ['-t', out]);
    const listed = (await exec('tar', ['-tzf', out])).stdout.trim().split('\n');
    expect(listed).toEqual(truth.entries.map((e) => e.path));

    const entries = await listTarGz(out);
    expect(entries.map((e) => ({ path: e.path, size: e.size }))).toEqual(truth.entries);
    expect(entries[0]!.path).toBe(`${book!.barcode}.xml`);
    const pages = entries.slice(1);
    expect(pages.length % 3).toBe(0);
    for (let i = 0; i < pages.length; i += 3) {
      const stem = pages[i]!.path.slice(0, 8);
      expect(stem).toMatch(/^\d{8}$/);
      expect(pages.slice(i, i + 3).map((e) => e.path)).toEqual([`${stem}.txt`, `${stem}.html`, `${stem}.jp2`]);
      expect(pages[i]!.data!.toString('utf8')).toBe(truth.ocrPages[Number(stem) - 1]);
      expect(pages[i + 1]!.data!.toString('utf8')).toContain('ocr_page');
      expect(pages[i + 2]!.data!.subarray(4, 8).toString('latin1')).toBe('jP  ');
    }
    expect(truth.ocrPages.join('')).toMatch(/[^\x00-\x7f]/);
    const mets = entries[0]!.data!.toString('utf8');
    const record = findMarcRecord(mets);
    expect(record).toBeDefined();
    expect(extractMarcColumns(record!)).toEqual(truth.expectedMarc);
  });

  it('re-encrypts on replaceArchive: new ETag and bytes, same plaintext', async () => {
    const t = await sim({ books: 300, seed: 42 });
    const [book] = convertedBooks(t, 1);
    const path = t.lib(`${book!.barcode}.tar.gz.gpg`);
    const before = await t.get(path, { method: 'HEAD' });
    const truthBefore = await t.sim.library.archive(book!.barcode);
    await t.sim.replaceArchive(book!.barcode);
    const after = await t.get(path);
    const truthAfter = await t.sim.library.archive(book!.barcode);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.headers.etag).toBe(`"${truthAfter.etag}"`);
    expect(md5(after.body)).toBe(truthAfter.etag);
    expect(truthAfter.plaintextSha256).toBe(truthBefore.plaintextSha256);
    const encrypted = join(work, 'replaced.gpg');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(encrypted, after.body);
    await gpgDecrypt(encrypted, t.sim.passphrase, join(work, 'replaced.tar.gz'));
    expect(sha256(await readFile(join(work, 'replaced.tar.gz')))).toBe(truthBefore.plaintextSha256);
  });

  it('answers 404 for books whose archive is not available', async () => {
    const t = await sim({ books: 300, seed: 43 });
    let notConverted: SimulatedBook | undefined;
    for (let i = 0; i < 300 && !notConverted; i++) if (!t.sim.library.book(i).archiveAvailable) notConverted = t.sim.library.book(i);
    expect((await t.get(t.lib(`${notConverted!.barcode}.tar.gz.gpg`), { method: 'HEAD' })).status).toBe(404);
    expect((await t.get(t.lib(`${notConverted!.barcode}.tar.gz.gpg`))).status).toBe(404);
    expect((await t.get(t.lib('32044000000000.tar.gz.gpg'))).status).toBe(404);
    expect(t.sim.stats().archivesGenerated).toBe(0);
  });

  it('reaches archiveBytes with incompressible images, supports legacy CAST5, and reuses a kept cache', async () => {
    const cacheDir = join(work, 'cache');
    const t = await sim({ books: 300, seed: 44, archiveBytes: 3 * 1024 * 1024, legacyCipherFraction: 1, cacheDir });
    const [book] = convertedBooks(t, 1);
    const truth = await t.sim.library.archive(book!.barcode);
    expect(truth.cipher).toBe('CAST5');
    expect(truth.plaintextSize).toBeGreaterThan(3 * 1024 * 1024 * 0.85);
    expect(truth.plaintextSize).toBeLessThan(3 * 1024 * 1024 * 1.15);
    const images = truth.entries.filter((e) => e.path.endsWith('.jp2')).reduce((sum, e) => sum + e.size, 0);
    expect(images).toBeGreaterThan(truth.plaintextSize * 0.8);
    const out = join(work, 'cast5.tar.gz');
    // GnuPG 1.x style: no integrity packet, so gpg 2.2 refuses it unless told to ignore that.
    await expect(gpgDecrypt(truth.encryptedPath, t.sim.passphrase, out)).rejects.toThrow(/not integrity protected/);
    const stderr = await gpgDecrypt(truth.encryptedPath, t.sim.passphrase, out, ['--ignore-mdc-error']);
    expect(stderr).toContain('CAST5');
    expect(sha256(await readFile(out))).toBe(truth.plaintextSha256);
    await t.sim.close();

    const again = await sim({ books: 300, seed: 44, archiveBytes: 3 * 1024 * 1024, legacyCipherFraction: 1, cacheDir });
    const head = await again.get(again.lib(`${book!.barcode}.tar.gz.gpg`), { method: 'HEAD' });
    expect(head.headers.etag).toBe(`"${truth.etag}"`);
    expect(again.sim.stats().archivesGenerated).toBe(0);
  });

  it('builds METS whose MARC record matches expectedMarc and covers every reference 6.3 case', async () => {
    const t = await sim({ books: 1500, seed: 45 });
    const seen = { d1999: 0, d1790: 0, d9999: 0, uuuu: 0, short008: 0, person: 0, corporate: 0, meeting: 0, oclc: 0, noOclc: 0, gap: 0, subjectPeriod: 0, isbn: 0, lccn: 0 };
    const mismatches: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const book = t.sim.library.book(i);
      const marcRecord = generateMarcRecord(seedKey(t.sim.library.seed), book);
      const mets = renderMets(book.barcode, marcRecord, [], '2020-01-01T00:00:00Z');
      const columns = extractMarcColumns(findMarcRecord(mets)!);
      if (JSON.stringify(columns) !== JSON.stringify(expectedMarcColumns(marcRecord))) mismatches.push(book.barcode);
      const plan = { marcRecord };
      const f008 = plan.marcRecord.controlfields['008']!;
      if (f008.length < 40) seen.short008++;
      else {
        if (f008.slice(7, 11) === '1999') seen.d1999++;
        if (f008.slice(7, 11) === '1790') seen.d1790++;
        if (f008.slice(11, 15) === '9999') seen.d9999++;
        if (f008.slice(7, 11) === 'uuuu') seen.uuuu++;
      }
      if (columns['marc_author_personal']) seen.person++;
      if (columns['marc_author_corporate']) seen.corporate++;
      if (columns['marc_author_meeting']) seen.meeting++;
      if (columns['marc_oclc_numbers']) seen.oclc++;
      else seen.noOclc++;
      if (plan.marcRecord.datafields.some((f) => f.tag === '650' && f.subfields[0]!.value.endsWith('.'))) seen.subjectPeriod++;
      if (columns['marc_isbn']) seen.isbn++;
      if (columns['marc_lccn']) seen.lccn++;
      if (i < 400 && planArchive(seedKey(t.sim.library.seed), book, 8 * 1024).ocrPages.includes('')) seen.gap++;
    }
    expect(mismatches).toEqual([]);
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(8);
    const sample = plan1999(t);
    expect(sample.marc_date_1).toBe('1999');
  });
});

function plan1999(t: TestSim): Record<string, string | null> {
  for (let i = 0; ; i++) {
    const marcRecord = generateMarcRecord(seedKey(t.sim.library.seed), t.sim.library.book(i));
    const f008 = marcRecord.controlfields['008']!;
    if (f008.length >= 40 && f008.slice(7, 11) === '1999') {
      expect(marcRecord.datafields.length).toBeGreaterThan(3);
      return expectedMarcColumns(marcRecord);
    }
  }
}
