import { describe, expect, it } from 'vitest';
import { classifyConversionStatus, NetworkError, QueueFullError } from '../src/index.js';
import { headingRow, page } from './helpers/pages.js';
import { useFixtureClients } from './helpers/fixture-clients.js';

const { server, make } = useFixtureClients();

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('textList', () => {
  it('streams barcodes line by line, stripping the archive suffix, CRLF and blank lines', async () => {
    server.setHandler(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('B1.tar.gz.gpg\r\nB2.tar.gz.gpg\r\n\r\n  B3  \nB4.tar');
      await new Promise((r) => setTimeout(r, 20));
      res.end('.gz.gpg\n');
    });
    const { client } = make();
    expect(await all(client.textList('_converted'))).toEqual(['B1', 'B2', 'B3', 'B4']);
    expect(server.requests[0]?.path).toBe('/libraries/Lib/_converted?format=text');
  });

  it('retries a failure before the first line, but not after lines were handed out', async () => {
    let calls = 0;
    server.setHandler((_req, res) => {
      calls += 1;
      if (calls === 1) return void res.socket?.destroy();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('B1\nB2\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const { client, time } = make();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const b of client.textList('_in_process')) seen.push(b);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['B1', 'B2']);
    expect(error).toBeInstanceOf(NetworkError);
    expect(calls).toBe(2);
    expect(time.sleeps).toEqual([500]);
  });
});

describe('failedList', () => {
  it('reads the _failed HTML page with result_count=-1', async () => {
    server.setHandler((_req, res) =>
      void res.writeHead(200).end(
        page(
          `<table>${headingRow(['Barcode', 'Title', 'Convert Failed Date', 'Convert Failed Info', 'Detailed Convert Failed Info'])}` +
            '<tr><td>F1</td><td>One</td><td>2024/05/06 07:08</td><td>Bad scan</td><td>Pages &lt;12&gt; unreadable</td></tr>' +
            '<tr><td>F2</td><td>Two</td><td></td><td>Other</td><td></td></tr></table>',
        ),
      ),
    );
    const { client } = make();
    expect(await all(client.failedList())).toEqual([
      { barcode: 'F1', failedDate: '2024-05-06T07:08:00', info: 'Bad scan', detailedInfo: 'Pages <12> unreadable', extra: {} },
      { barcode: 'F2', failedDate: null, info: 'Other', detailedInfo: null, extra: {} },
    ]);
    expect(server.requests[0]?.path).toBe('/libraries/Lib/_failed?result_count=-1');
  });

  it('treats an empty _failed page without a table as no failures', async () => {
    server.setHandler((_req, res) => void res.writeHead(200).end(page('<p>No failed conversions.</p>')));
    expect(await all(make().client.failedList())).toEqual([]);
  });

  it('reads the text form', async () => {
    server.setHandler((_req, res) => void res.writeHead(200).end('F1\t2024/05/06 07:08\tBad scan\nF2.tar.gz.gpg\t\tUnknown\n'));
    const { client } = make();
    expect(await all(client.failedList({ source: 'text' }))).toEqual([
      { barcode: 'F1', failedDate: '2024-05-06T07:08:00', info: 'Bad scan', detailedInfo: null, extra: {} },
      { barcode: 'F2', failedDate: null, info: 'Unknown', detailedInfo: null, extra: {} },
    ]);
  });
});

describe('requestConversion', () => {
  it('classifies per reference 1.8', () => {
    expect(classifyConversionStatus('Success')).toBe('requested');
    expect(classifyConversionStatus('Already available for download')).toBe('already_available');
    expect(classifyConversionStatus('Book is already in process for conversion')).toBe('already_in_process');
    expect(classifyConversionStatus('Book not available for conversion')).toBe('unavailable');
    expect(classifyConversionStatus('')).toBe('unavailable');
  });

  it('sends comma-separated batches and maps every barcode, in order', async () => {
    const answers: Record<string, string> = { A: 'Success', B: 'Already available for download', C: 'Book is already in process for conversion', D: 'Nope' };
    server.setHandler((_req, res, url) => {
      const barcodes = (url.searchParams.get('barcodes') ?? '').split(',');
      const lines = barcodes.filter((b) => b in answers).map((b) => `${b}\t${answers[b]}`);
      res.writeHead(200, { 'content-type': 'text/tab-separated-values' }).end(`Barcode\tStatus\n${lines.join('\n')}\n`);
    });
    const { client } = make();
    const results = await client.requestConversion(['A', 'B', 'C', 'D', 'E'], { batchSize: 3 });
    expect(results).toEqual([
      { barcode: 'A', status: 'Success', outcome: 'requested' },
      { barcode: 'B', status: 'Already available for download', outcome: 'already_available' },
      { barcode: 'C', status: 'Book is already in process for conversion', outcome: 'already_in_process' },
      { barcode: 'D', status: 'Nope', outcome: 'unavailable' },
      { barcode: 'E', status: '', outcome: 'missing' },
    ]);
    expect(server.requests.map((r) => r.path)).toEqual(['/libraries/Lib/_process?barcodes=A,B,C', '/libraries/Lib/_process?barcodes=D,E']);
  });

  it('reports the accepted batches when the queue fills up', async () => {
    let calls = 0;
    server.setHandler((_req, res) => {
      calls += 1;
      if (calls === 1) return void res.writeHead(200).end('Barcode\tStatus\nA\tSuccess\n');
      res.writeHead(429).end();
    });
    const error = (await make().client.requestConversion(['A', 'B'], { batchSize: 1 }).catch((e: unknown) => e)) as QueueFullError;
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error.partialResults).toEqual([{ barcode: 'A', status: 'Success', outcome: 'requested' }]);
  });
});

describe('barcodeSearch', () => {
  const HEADER = ['Barcode', 'Check-In Date', 'State', 'Viewability', 'Opted-Out (post-scan)', 'Material Error%', "OCR'd Date", 'Scanned Date', 'Unknown Col'];
  it('batches so every URL stays within 7,500 characters and maps columns by header name', async () => {
    server.setHandler((_req, res, url) => {
      const barcodes = (url.searchParams.get('barcodes') ?? '').split(' ');
      const lines = barcodes.map((b, i) =>
        i % 2 === 0 ? `${b}\t2020/01/02 03:04\tCONVERTED\tVIEW_FULL\tfalse\t5%\t2021/01/01 00:00\t\tzzz` : `${b}\t\tNEW`,
      );
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${HEADER.join('\t')}\n${lines.join('\n')}\n`);
    });
    const barcodes = Array.from({ length: 2000 }, (_, i) => `HN${String(i).padStart(10, '0')}`);
    const { client } = make({ concurrency: 3 });
    const records = await all(client.barcodeSearch(barcodes));
    expect(records.map((r) => r.barcode)).toEqual(barcodes);
    const urls = server.requests.map((r) => `${server.url}${r.path}`);
    expect(urls.length).toBeGreaterThan(2);
    for (const u of urls) {
      expect(u.length).toBeLessThanOrEqual(7500);
      expect(u).toContain('_barcode_search?execute_query=true&format=text&mode=full&barcodes=HN');
      expect(u).toContain('%20');
    }
    // Batches are full: adding the next barcode would have crossed the limit.
    expect(urls[0]?.length).toBeGreaterThan(7500 - 16);
    expect(records[0]?.columns).toEqual({
      grin_check_in_date: '2020-01-02T03:04:00',
      grin_state: 'CONVERTED',
      grin_viewability: 'VIEW_FULL',
      grin_opted_out: 'false',
      grin_material_error_percent: '5%',
      ocr_date: '2021-01-01T00:00:00',
      scanned_date: null,
    });
    expect(records[0]?.values['Unknown Col']).toBe('zzz');
    // A short line is padded: every header present, empty cells -> null.
    expect(records[1]?.columns['grin_viewability']).toBeNull();
    expect(records[1]?.values['Scanned Date']).toBe('');
  });
});
