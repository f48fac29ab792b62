import { GrinError, NetworkError } from '../errors.js';

/** Wraps a low-level (undici/socket) failure in a NetworkError that names the URL. */
export function toNetworkError(error: unknown, url: string): GrinError {
  if (error instanceof GrinError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  const what = describeCode(typeof code === 'string' ? code : undefined);
  return new NetworkError(`${what} for ${url}: ${detail}`, { cause: error, url });
}

function describeCode(code: string | undefined): string {
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'Connect timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'No response headers within the idle timeout';
    case 'UND_ERR_BODY_TIMEOUT':
      return 'Transfer stalled longer than the idle timeout';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'Body length differs from Content-Length';
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      return 'Connection lost';
    case 'ECONNREFUSED':
      return 'Connection refused';
    default:
      return 'Network error';
  }
}
