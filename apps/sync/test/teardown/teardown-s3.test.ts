import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../../src/storage/index.js';
import { runTeardown, teardownError, type RunSummary } from '../../src/teardown/index.js';
import { startS3rver, type S3rverHarness } from '../storage/s3rver-harness.js';
import { countBooksInSnapshot, makeRun, steppingClock, type RunFixture } from './run-fixtures.js';

let server: S3rverHarness;
let runs: RunFixture[] = [];
let storages: S3Storage[] = [];

beforeAll(async () => {
  server = await startS3rver();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(storages.map((s) => s.close()));
  await Promise.all(runs.map((r) => r.cleanup()));
  runs = [];
  storages = [];
});

async function run(books: number): Promise<RunFixture> {
  const r = await makeRun({ books });
  runs.push(r);
  return r;
}

function s3(options: ConstructorParameters<typeof S3Storage>[0]): S3Storage {
  const storage = new S3Storage(options);
  storages.push(storage);
  return storage;
}

async function getObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

describe('runTeardown with S3 storage (s3rver)', () => {
  it('puts the CSV, database and summary in the meta bucket under the run name', async () => {
    const r = await run(180);
    const storage = s3(server.options(r.runName));
    const report = await runTeardown({ catalogue: r.catalogue, storage, runName: r.runName, runDir: r.runDir, now: steppingClock() });
    expect(report.ok).toBe(true);

    const meta = server.buckets.meta;
    const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: meta, Prefix: `${r.runName}/` }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      [
        `${r.runName}/books_latest.csv.gz`,
        `${r.runName}/books_latest.db.gz`,
        `${r.runName}/process_summary.json.gz`,
        `${r.runName}/timestamped/20250304_050607_books.csv.gz`,
        `${r.runName}/timestamped/20250304_050607_books_latest.db.gz`,
      ].sort(),
    );
    expect(report.items.find((i) => i.name === 'database_latest')?.location).toBe(`s3://${meta}/${r.runName}/books_latest.db.gz`);

    const localCsv = await readFile(join(r.runDir, 'books_export.csv'), 'utf8');
    const csv = gunzipSync(await getObject(storage.client, meta, `${r.runName}/books_latest.csv.gz`)).toString('utf8');
    expect(csv).toBe(localCsv);
    expect((parse(csv) as string[][]).length).toBe(181);
    expect(await countBooksInSnapshot(await getObject(storage.client, meta, `${r.runName}/books_latest.db.gz`), r.root)).toBe(180);
    expect(await countBooksInSnapshot(await getObject(storage.client, meta, `${r.runName}/timestamped/20250304_050607_books_latest.db.gz`), r.root)).toBe(180);
    const summary = JSON.parse(gunzipSync(await getObject(storage.client, meta, `${r.runName}/process_summary.json.gz`)).toString('utf8')) as RunSummary;
    expect(Object.keys(summary.stages).sort()).toEqual(['collect', 'sync']);
    expect(summary).toEqual(JSON.parse(await readFile(join(r.runDir, 'process_summary.json'), 'utf8')));
  });

  it('a meta bucket that does not exist: uploads reported failed, local files still written, non-zero outcome', async () => {
    const r = await run(20);
    const options = server.options(r.runName);
    const storage = s3({ ...options, buckets: { ...options.buckets, meta: 'no-such-bucket' } });
    const report = await runTeardown({ catalogue: r.catalogue, storage, runName: r.runName, runDir: r.runDir });

    expect(report.ok).toBe(false);
    const failed = report.items.filter((i) => !i.ok).map((i) => i.name);
    expect(failed).toEqual(['csv_latest', 'csv_timestamped', 'database_latest', 'database_timestamped', 'process_summary_upload']);
    for (const i of report.items.filter((x) => !x.ok)) {
      expect(i.error?.code).toMatch(/^storage_/);
      expect(i.error?.message.length).toBeGreaterThan(0);
    }
    expect(report.items.find((i) => i.name === 'csv_export')).toMatchObject({ ok: true, rows: 20 });
    expect(existsSync(join(r.runDir, 'books_export.csv'))).toBe(true);

    const summary = JSON.parse(await readFile(join(r.runDir, 'process_summary.json'), 'utf8')) as RunSummary;
    expect(summary.has_errors).toBe(true);
    expect(summary.teardown?.items.filter((i) => !i.ok).map((i) => i.name)).toEqual(['csv_latest', 'csv_timestamped', 'database_latest', 'database_timestamped']);

    const error = teardownError(report);
    expect(error).toMatchObject({ name: 'RunRecordsError', code: 'teardown_failed', retryable: true });
    expect(error?.message).toContain('database_latest');
    expect(error?.hint.length).toBeGreaterThan(0);
  });
});
