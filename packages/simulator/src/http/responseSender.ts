import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyFaultPlan } from '../faults/faultEngine.js';
import type { BodyChunks, SimResponse } from './simResponse.js';

export interface SendResult {
  aborted: boolean;
  /** Bytes written (exact when `countBytes` is given; string length otherwise). */
  bytes: number;
}

type Sleep = (ms: number) => Promise<void>;

/**
 * Writes a SimResponse, honouring back-pressure and the client going away, and applies body
 * faults: throttling (bandwidth, slow drip), cuts (reset, clean truncation) and a wrong
 * Content-Length. Bodies of unknown length are buffered only when a fault needs their length.
 */
export async function sendResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: SimResponse,
  plan: BodyFaultPlan,
  sleep: Sleep,
  countBytes?: (bytes: number) => void,
): Promise<SendResult> {
  const head = req.method === 'HEAD';
  let body = response.body;
  const needsLength = plan.cut !== undefined || plan.lengthDelta !== undefined || plan.lengthDeltaDefault === true;
  if (body && body.length === undefined && needsLength && !head) {
    const data = await collect(body.chunks());
    body = { chunks: () => [data], length: data.length };
  }
  const length = body?.length;
  const headers: Record<string, string | number> = { ...response.headers };
  let closeAfter = false;
  if (length !== undefined) {
    let announced = length;
    if (plan.lengthDelta !== undefined || plan.lengthDeltaDefault) {
      announced = Math.max(0, length + (plan.lengthDelta ?? -Math.max(1, Math.floor(length / 10))));
      closeAfter = true;
    }
    headers['Content-Length'] = announced;
  }
  if (plan.cut) closeAfter = true;
  if (closeAfter) headers['Connection'] = 'close';

  if (head && plan.cut?.kind === 'reset') {
    res.socket?.destroy();
    return { aborted: true, bytes: 0 };
  }
  res.writeHead(response.status, headers);
  if (head || !body) {
    res.end();
    await finished(res);
    return { aborted: res.destroyed && !res.writableFinished, bytes: 0 };
  }

  const cutAt = plan.cut ? (plan.cut.afterBytes ?? Math.floor((length ?? 0) / 2)) : Infinity;
  const throttle = plan.throttle;
  const started = Date.now();
  let sent = 0;
  for await (const raw of body.chunks()) {
    if (res.destroyed) return { aborted: true, bytes: sent };
    if (cutAt === Infinity && !throttle) {
      // Byte-counting a generated string costs as much as encoding it: only when someone needs it.
      const n = typeof raw !== 'string' ? raw.length : countBytes ? Buffer.byteLength(raw) : raw.length;
      sent += n;
      countBytes?.(n);
      if (!res.write(raw)) await drained(res);
      continue;
    }
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (sent + chunk.length >= cutAt) {
      chunk = chunk.subarray(0, cutAt - sent);
      await writePieces(res, chunk, throttle, sleep, started, sent);
      sent += chunk.length;
      countBytes?.(chunk.length);
      await cut(res, plan.cut?.kind ?? 'truncate');
      return { aborted: true, bytes: sent };
    }
    await writePieces(res, chunk, throttle, sleep, started, sent);
    sent += chunk.length;
    countBytes?.(chunk.length);
  }
  if (res.destroyed) return { aborted: true, bytes: sent };
  res.end();
  await finished(res);
  return { aborted: !res.writableFinished, bytes: sent };
}

async function writePieces(
  res: ServerResponse,
  chunk: Buffer,
  throttle: BodyFaultPlan['throttle'],
  sleep: Sleep,
  started: number,
  alreadySent: number,
): Promise<void> {
  if (!throttle) {
    if (chunk.length > 0 && !res.write(chunk)) await drained(res);
    return;
  }
  let sent = alreadySent;
  for (let at = 0; at < chunk.length && !res.destroyed; at += throttle.chunkBytes) {
    const piece = chunk.subarray(at, at + throttle.chunkBytes);
    // Pay for a piece before sending it, so the last byte arrives no earlier than the rate allows.
    if (throttle.pauseEveryChunk) {
      if (sent > 0) await sleep((piece.length / throttle.bytesPerSecond) * 1000);
    } else {
      const wait = started + ((sent + piece.length) / throttle.bytesPerSecond) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
    }
    if (!res.write(piece)) await drained(res);
    sent += piece.length;
  }
}

/** Ends the body early: a clean FIN ('truncate') or a TCP reset after the bytes are flushed. */
async function cut(res: ServerResponse, kind: 'reset' | 'truncate'): Promise<void> {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  await new Promise<void>((resolve) => {
    if (socket.writableLength === 0) resolve();
    else socket.once('drain', () => resolve());
    setTimeout(resolve, 200).unref();
  });
  if (kind === 'reset') socket.resetAndDestroy();
  else socket.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function finished(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      resolve();
    };
    res.on('finish', done);
    res.on('close', done);
  });
}

async function collect(chunks: BodyChunks): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts);
}
