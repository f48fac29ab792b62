export type BodyChunks = Iterable<string | Buffer> | AsyncIterable<string | Buffer>;

/** A response as handlers describe it; the sender writes it (and applies body faults). */
export interface SimResponse {
  status: number;
  headers: Record<string, string | number>;
  body?: {
    /** Opened lazily, once, when the body is written. */
    chunks: () => BodyChunks;
    /** Known byte length (archives); unknown for generated pages, which are sent chunked. */
    length?: number;
  };
  /** Always called once the response is over (sent, cut or abandoned): release resources. */
  dispose?: () => void;
}

export function textResponse(status: number, text: string, contentType = 'text/plain; charset=utf-8'): SimResponse {
  const data = Buffer.from(text, 'utf8');
  return { status, headers: { 'Content-Type': contentType }, body: { chunks: () => [data], length: data.length } };
}

export function htmlResponse(status: number, html: string): SimResponse {
  return textResponse(status, html, 'text/html; charset=utf-8');
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  const response = textResponse(status, JSON.stringify(value), 'application/json; charset=utf-8');
  Object.assign(response.headers, { 'Cache-Control': 'no-store' }, headers);
  return response;
}

/** A generated body sent with chunked encoding. */
export function streamResponse(status: number, contentType: string, chunks: () => BodyChunks): SimResponse {
  return { status, headers: { 'Content-Type': contentType }, body: { chunks } };
}
