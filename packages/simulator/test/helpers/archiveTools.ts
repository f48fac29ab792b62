import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { Parser } from 'htmlparser2';
import * as tar from 'tar-stream';

const exec = promisify(execFile);

/** The real gpg, as the sync app runs it: batch, loopback pinentry, passphrase file, private homedir. */
/** `extraArgs`, e.g. `--ignore-mdc-error` for legacy archives without an integrity packet. */
export async function gpgDecrypt(encryptedPath: string, passphrase: string, outPath: string, extraArgs: string[] = []): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'grin-sim-test-gpg-'));
  try {
    const passFile = join(home, 'passphrase');
    await writeFile(passFile, `${passphrase}\n`, { mode: 0o600 });
    const { stderr } = await exec('gpg', [
      '--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase-file', passFile,
      ...extraArgs, '--decrypt', '--output', outPath, encryptedPath,
    ]);
    return stderr;
  } finally {
    await exec('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}

export interface TarEntry {
  path: string;
  size: number;
  data?: Buffer;
}

/** Lists a .tar.gz, keeping the contents of entries up to `keepBytes`. */
export async function listTarGz(path: string, keepBytes = 256 * 1024): Promise<TarEntry[]> {
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      let size = 0;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        size += chunk.length;
        if (size <= keepBytes) parts.push(chunk);
      });
      stream.on('end', () => {
        const entry: TarEntry = { path: header.name, size };
        if (size <= keepBytes) entry.data = Buffer.concat(parts);
        entries.push(entry);
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  createReadStream(path).pipe(createGunzip()).pipe(extract);
  await done;
  return entries;
}

interface XmlRecord {
  controlfields: Record<string, string>;
  datafields: { tag: string; subfields: { code: string; value: string }[] }[];
}

const METS = 'http://www.loc.gov/METS/';
const MARC = 'http://www.loc.gov/MARC21/slim';

/** Namespace-aware search of mets:dmdSec/mets:mdWrap/mets:xmlData/slim:record (reference 6.3). */
export function findMarcRecord(xml: string): XmlRecord | undefined {
  const scopes: Record<string, string>[] = [{}];
  const path: string[] = [];
  let record: XmlRecord | undefined;
  let inRecord = false;
  let done = false;
  let field: { tag: string; subfields: { code: string; value: string }[] } | undefined;
  let control: string | undefined;
  let sub: { code: string; value: string } | undefined;
  let text = '';
  const resolve = (qname: string): string => {
    const [prefix, local] = qname.includes(':') ? (qname.split(':') as [string, string]) : ['', qname];
    const ns = scopes[scopes.length - 1]?.[prefix] ?? '';
    return `{${ns}}${local}`;
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const scope = { ...scopes[scopes.length - 1] };
        for (const [k, v] of Object.entries(attrs)) {
          if (k === 'xmlns') scope[''] = v;
          else if (k.startsWith('xmlns:')) scope[k.slice(6)] = v;
        }
        scopes.push(scope);
        const q = resolve(name);
        path.push(q);
        if (!done && q === `{${MARC}}record` && path.slice(-4, -1).join('/') === `{${METS}}dmdSec/{${METS}}mdWrap/{${METS}}xmlData`) {
          inRecord = true;
          record = { controlfields: {}, datafields: [] };
        } else if (inRecord && q === `{${MARC}}controlfield`) {
          control = attrs['tag'];
          text = '';
        } else if (inRecord && q === `{${MARC}}datafield`) {
          field = { tag: attrs['tag'] ?? '', subfields: [] };
        } else if (field && q === `{${MARC}}subfield`) {
          sub = { code: attrs['code'] ?? '', value: '' };
        }
      },
      ontext(data) {
        if (sub) sub.value += data;
        else if (control !== undefined) text += data;
      },
      onclosetag() {
        const q = path.pop();
        scopes.pop();
        if (q === `{${MARC}}subfield` && sub && field) {
          field.subfields.push(sub);
          sub = undefined;
        } else if (q === `{${MARC}}controlfield` && control !== undefined && record) {
          record.controlfields[control] = text;
          control = undefined;
        } else if (q === `{${MARC}}datafield` && field && record) {
          record.datafields.push(field);
          field = undefined;
        } else if (q === `{${MARC}}record` && inRecord) {
          inRecord = false;
          done = true;
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return record;
}

/** An independent implementation of reference 6.3 (with the 999 quirk fixed) over parsed XML. */
export function extractMarcColumns(record: XmlRecord): Record<string, string | null> {
  const all = (tag: string, code: string): string[] =>
    record.datafields.filter((f) => f.tag === tag).flatMap((f) => f.subfields.filter((s) => s.code === code).map((s) => s.value.trim())).filter((v) => v !== '');
  const join = (values: string[]): string | null => (values.length ? values.join(', ') : null);
  const f008 = record.controlfields['008'] ?? '';
  const ok = f008.length >= 40;
  const year = (v: string): string | null => (/^[0-9]{4}$/.test(v) && v !== '9999' ? v : null);
  return {
    marc_control_number: record.controlfields['001']?.trim() || null,
    marc_date_type: ok && f008[6] !== ' ' ? (f008[6] ?? null) : null,
    marc_date_1: ok ? year(f008.substring(7, 11)) : null,
    marc_date_2: ok ? year(f008.substring(11, 15)) : null,
    marc_language: ok && f008.substring(35, 38) !== '   ' ? f008.substring(35, 38) : null,
    marc_lccn: all('010', 'a')[0] ?? null,
    marc_lc_call_number: join(all('050', 'a')),
    marc_isbn: join(all('020', 'a')),
    marc_oclc_numbers: join(all('035', 'a').filter((v) => v.includes('(OCoLC)'))),
    marc_title: all('245', 'a')[0] ?? null,
    marc_title_remainder: all('245', 'b')[0] ?? null,
    marc_author_personal: all('100', 'a')[0] ?? null,
    marc_author_corporate: all('110', 'a')[0] ?? null,
    marc_author_meeting: all('111', 'a')[0] ?? null,
    marc_subjects: join(all('650', 'a').map((v) => v.replace(/\.+$/, ''))),
    marc_genres: join(all('655', 'a').map((v) => v.replace(/\.+$/, ''))),
    marc_general_note: join(all('500', 'a')),
  };
}
