import { ConfigError } from './errors.js';

export const DEFAULT_BASE_URL = 'https://books.google.com/libraries/';

const DIRECTORY = /^[A-Za-z0-9_-]+$/;

/** Validates a GRIN library directory name (reference 1.1); ConfigError with a hint otherwise. */
export function validateLibraryDirectory(value: string): string {
  const example = 'e.g. `Harvard` for https://books.google.com/libraries/Harvard/_all_books';
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError('The GRIN library directory is empty.', { hint: `Give the directory name, ${example}.` });
  }
  if (value.includes('://') || /^https?:/i.test(value)) {
    throw new ConfigError(`The GRIN library directory must be a name, not a URL: ${value}`, {
      hint: `Give only the directory name, ${example}.`,
    });
  }
  if (!DIRECTORY.test(value)) {
    throw new ConfigError(`Invalid GRIN library directory ${JSON.stringify(value)}: only letters, digits, _ and - are allowed.`, {
      hint: `Give only the directory name (case-sensitive), ${example}.`,
    });
  }
  return value;
}

/** Validates the base URL and returns it with a trailing slash. */
export function normaliseBaseUrl(value: string | undefined): string {
  const raw = value ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ConfigError(`Invalid GRIN base URL: ${raw}`, { cause: error, hint: `Use e.g. ${DEFAULT_BASE_URL}` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`The GRIN base URL must be http(s): ${raw}`, { hint: `Use e.g. ${DEFAULT_BASE_URL}` });
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

/** Checks a numeric option: finite (unless allowed infinite) and >= min. */
export function positiveOption(name: string, value: number | undefined, fallback: number, min = 1, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (!allowInfinity && !Number.isFinite(value))) {
    throw new ConfigError(`Option ${name} must be a number >= ${min} (got ${String(value)}).`);
  }
  return value;
}
