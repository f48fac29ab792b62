import { describe, expect, it } from 'vitest';
import { ConfigError, createGrinClient, DEFAULT_BASE_URL, staticTokenProvider, validateLibraryDirectory } from '../src/index.js';

describe('configuration', () => {
  it('accepts plain directory names and builds the library URL', async () => {
    expect(validateLibraryDirectory('Harvard_2-x')).toBe('Harvard_2-x');
    const client = createGrinClient({ libraryDirectory: 'Harvard', tokenProvider: staticTokenProvider('t') });
    expect(client.libraryUrl).toBe(`${DEFAULT_BASE_URL}Harvard/`);
    await client.close();
    const local = createGrinClient({ libraryDirectory: 'Sim', baseUrl: 'http://127.0.0.1:9/libraries', tokenProvider: staticTokenProvider('t') });
    expect(local.libraryUrl).toBe('http://127.0.0.1:9/libraries/Sim/');
    await local.close();
  });

  it('rejects URLs, paths and odd characters with a hint', () => {
    for (const bad of ['https://books.google.com/libraries/Harvard', 'http:Harvard', 'Harvard/_all_books', 'a\\b', 'Har vard', '', 'Ünï']) {
      let error: unknown;
      try {
        validateLibraryDirectory(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('config_invalid');
      expect((error as ConfigError).hint).toContain('Harvard');
    }
    expect(() => createGrinClient({ libraryDirectory: 'https://x/y' })).toThrow(ConfigError);
  });

  it('rejects bad numeric options and base URLs', () => {
    const base = { libraryDirectory: 'Lib', tokenProvider: staticTokenProvider('t') };
    expect(() => createGrinClient({ ...base, concurrency: 0 })).toThrow(ConfigError);
    expect(() => createGrinClient({ ...base, requestsPerSecond: -1 })).toThrow(ConfigError);
    expect(() => createGrinClient({ ...base, idleTimeoutMs: Number.NaN })).toThrow(ConfigError);
    expect(() => createGrinClient({ ...base, baseUrl: 'ftp://x/' })).toThrow(ConfigError);
    expect(() => createGrinClient({ ...base, baseUrl: 'not a url' })).toThrow(ConfigError);
  });
});
