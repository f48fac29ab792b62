import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '@grin/books';
import { startS3rver, type S3rverHarness } from '../storage/s3rver-harness.js';
import { checkExtracted } from '../helpers/extraction-check.js';
import { checkS3Synced, listKeys, s3Args, s3Client } from '../helpers/s3-check.js';
import { startHarness, type Harness } from '../helpers/sync-harness.js';

let h: Harness;
let s3: S3rverHarness;
let client: S3Client;

beforeAll(async () => {
  [h, s3] = await Promise.all([startHarness({ books: 60 }), startS3rver()]);
  client = s3Client(s3);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([h?.close(), s3?.stop()]);
});

describe('sync to S3-compatible storage (s3rver)', { timeout: 90_000 }, () => {
  it('converted queue: stored with metadata, second run skips by ETag, a changed ETag re-syncs, --force re-syncs all', async () => {
    const barcodes = h.converted(5);
    const first = await h.run(['--run-name', 's3run', '--queue', 'converted', '--limit', '5', ...h.grinArgs, ...s3Args(s3)]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('5 synced');
    expect(await checkS3Synced(h, client, s3.buckets.raw, 's3run', barcodes)).toEqual([]);

    const config = await readFile(join(h.runDir('s3run'), 'run_config.json'), 'utf8');
    expect(config).toContain(s3.buckets.raw);
    expect(config).not.toContain('S3RVER'); // credentials are never recorded

    // Settings reused from run_config.json; credentials from the environment this time.
    let seq = h.seq();
    const second = await h.run(['--run-name', 's3run', '--queue', 'converted', '--limit', '5', ...h.grinArgs], {
      env: { INIT_CWD: h.workDir, GRIN_PROGRESS: 'off', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 synced, 5 skipped (etag_match 5)');
    expect(h.downloads(seq).size).toBe(0);

    const changed = barcodes[0] as string;
    await h.sim.replaceArchive(changed);
    seq = h.seq();
    const third = await h.run(['--run-name', 's3run', '--queue', 'converted', '--limit', '5', ...h.grinArgs, ...s3Args(s3)]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('1 synced, 4 skipped');
    expect([...h.downloads(seq)]).toEqual([[changed, 1]]);

    seq = h.seq();
    const forced = await h.run(['--run-name', 's3run', '--queue', 'converted', '--limit', '5', '--force', ...h.grinArgs, ...s3Args(s3)]);
    expect(forced.code).toBe(0);
    expect([...h.downloads(seq).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(await checkS3Synced(h, client, s3.buckets.raw, 's3run', barcodes)).toEqual([]);

    const catalogue = openCatalogue(join(h.runDir('s3run'), 'books.db'), { readonly: true });
    try {
      for (const b of barcodes) {
        const row = catalogue.getBook(b);
        expect(row?.storage_path).toBe(`s3://${s3.buckets.raw}/s3run/${b}.tar.gz`);
        expect(row?.encrypted_etag).toBe((await h.sim.library.archive(b)).etag);
      }
    } finally {
      catalogue.close();
    }
  });

  it('extraction and teardown on S3: OCR in the full bucket with page_count metadata, MARC in the catalogue, run records in the meta bucket', async () => {
    const barcodes = h.converted(8).slice(5);
    const run = await h.run(['--run-name', 's3ex', '--barcodes', barcodes.join(','), '--skip-compression-meta', ...h.grinArgs, ...s3Args(s3)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('3 synced');
    expect(await checkS3Synced(h, client, s3.buckets.raw, 's3ex', barcodes)).toEqual([]);
    expect(await checkExtracted(h, 's3ex', { kind: 's3', client, bucket: s3.buckets.full }, barcodes)).toEqual([]);
    expect(await listKeys(client, s3.buckets.full, 's3ex/')).toEqual(barcodes.map((b) => `s3ex/${b}_ocr.jsonl.gz`).sort());
    const meta = await listKeys(client, s3.buckets.meta, 's3ex/');
    expect(meta).toEqual(expect.arrayContaining(['s3ex/books_latest.csv', 's3ex/books_latest.db.gz', 's3ex/process_summary.json.gz']));
    expect(meta.filter((k) => k.startsWith('s3ex/timestamped/'))).toHaveLength(2);
    // The CSV copy (uncompressed: --skip-compression-meta) is the local export.
    const got = await client.send(new GetObjectCommand({ Bucket: s3.buckets.meta, Key: 's3ex/books_latest.csv' }));
    expect(await got.Body?.transformToString('utf8')).toBe(await readFile(join(h.runDir('s3ex'), 'books_export.csv'), 'utf8'));
  });
});
