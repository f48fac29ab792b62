import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { PendingObject, StoredObject } from './archive-storage.js';
import { commitRefusal, type PendingState } from './commit-refusal.js';
import { StorageError, type StorageWarning } from './storage-error.js';

export interface S3PendingObjectOptions {
  client: S3Client;
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  contentType?: string;
  partSize: number;
  queueSize: number;
  onWarning: (warning: StorageWarning) => void;
  /** Hash the body while streaming it (StoredObject.sha256). */
  computeSha256: boolean;
}

/**
 * An S3 object written through lib-storage's `Upload`. The producer writes `stream` (a gate); the
 * gate forwards into a PassThrough that the Upload consumes, but ending the gate does NOT end the
 * PassThrough: only commit() does. So full parts may be uploaded early (invisible until
 * CompleteMultipartUpload), while the final part, the completion — and, for bodies smaller than one
 * part, the single PutObject — only happen in commit(). abort() destroys the PassThrough, which makes
 * the Upload stop and send AbortMultipartUpload; nothing becomes visible.
 */
export class S3PendingObject implements PendingObject {
  readonly location: string;
  readonly stream: Writable;
  private readonly opts: S3PendingObjectOptions;
  private readonly body = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly hash: Hash | undefined;
  private readonly requests = new AbortController();
  private readonly uploadDone: Promise<unknown>;
  private bytes = 0;
  private state: PendingState = 'open';
  private failure: Error | undefined;
  private abortCleanupError: unknown;
  private committing: Promise<StoredObject> | undefined;

  constructor(opts: S3PendingObjectOptions) {
    this.opts = opts;
    this.location = `s3://${opts.bucket}/${opts.key}`;
    this.hash = opts.computeSha256 ? createHash('sha256') : undefined;
    const upload = new Upload({
      client: this.instrumentedClient(),
      params: {
        Bucket: opts.bucket,
        Key: opts.key,
        Body: this.body,
        Metadata: opts.metadata,
        ...(opts.contentType === undefined ? {} : { ContentType: opts.contentType }),
      },
      partSize: opts.partSize,
      queueSize: opts.queueSize,
      leavePartsOnError: false,
    });
    // The Upload starts consuming the body right away; its outcome is observed here so an early
    // failure (a part refused) fails the producer fast instead of surfacing only at commit().
    this.uploadDone = upload.done();
    this.uploadDone.catch((err: unknown) => this.fail(asError(err)));
    this.stream = this.createGate();
  }

  commit(): Promise<StoredObject> {
    const refusal = commitRefusal(this.location, this.state, this.stream);
    if (refusal !== null) return Promise.reject(refusal);
    this.state = 'committing';
    this.committing = this.doCommit();
    return this.committing;
  }

  async abort(reason?: Error): Promise<void> {
    if (this.state === 'committing') {
      await this.committing?.catch(() => undefined);
      return;
    }
    if (this.state !== 'open') return;
    this.state = 'aborted';
    const why = reason ?? new Error('upload aborted');
    this.failure ??= why;
    this.requests.abort(why);
    this.body.destroy(why);
    if (!this.stream.destroyed) this.stream.destroy();
    await this.uploadDone.catch(() => undefined);
    if (this.abortCleanupError !== undefined) {
      this.opts.onWarning({
        code: 'abort_cleanup_failed',
        message: `AbortMultipartUpload failed for ${this.location}; no object is visible, but parts may remain until a lifecycle rule removes them`,
        location: this.location,
        cause: this.abortCleanupError,
      });
    }
  }

  private async doCommit(): Promise<StoredObject> {
    try {
      await finished(this.stream, { readable: false });
      if (this.failure !== undefined) throw this.failure;
      this.body.end();
      await this.uploadDone;
    } catch (err) {
      this.state = 'open';
      await this.abort(asError(err));
      throw new StorageError('storage_write_failed', `upload of ${this.location} failed: ${asError(err).message}`, {
        hint: 'check the endpoint, credentials and bucket, and that the network is up',
        retryable: true,
        cause: err,
      });
    }
    this.state = 'committed';
    const sha256 = this.hash?.digest('hex');
    return { location: this.location, size: this.bytes, ...(sha256 === undefined ? {} : { sha256 }) };
  }

  private fail(err: Error): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    // Stop the producer early; the caller then aborts.
    if (this.state === 'open' && !this.stream.destroyed) this.stream.destroy(err);
  }

  private createGate(): Writable {
    const body = this.body;
    return new Writable({
      highWaterMark: 1 << 20,
      write: (chunk: Buffer, _enc, callback) => {
        if (this.failure !== undefined) return callback(this.failure);
        this.hash?.update(chunk);
        this.bytes += chunk.length;
        if (body.write(chunk)) return callback();
        waitDrain(body).then(
          () => callback(this.failure),
          (err: Error) => callback(this.failure ?? err),
        );
      },
      // Deliberately does not end the PassThrough: that is commit()'s decision.
      final: (callback) => callback(this.failure),
    });
  }

  /**
   * The Upload's client, wrapped so that data requests are cancelled by abort() and any failure
   * except our own AbortMultipartUpload fails the object at once.
   */
  private instrumentedClient(): S3Client {
    const real = this.opts.client;
    // The SDK's overloaded send() cannot be expressed on a generic forwarder.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const realSend = real.send.bind(real) as (command: unknown, options?: object) => Promise<any>;
    const send = (command: unknown, options?: object): Promise<unknown> => {
      if (command instanceof AbortMultipartUploadCommand) {
        return realSend(command, options).catch((err: unknown) => {
          this.abortCleanupError = err;
          throw err;
        });
      }
      const isCompletion = command instanceof CompleteMultipartUploadCommand;
      const sendOptions = isCompletion ? options : { ...options, abortSignal: this.requests.signal };
      return realSend(command, sendOptions).catch((err: unknown) => {
        this.fail(asError(err));
        throw err;
      });
    };
    const wrapped = Object.create(real) as S3Client;
    wrapped.send = send as S3Client['send'];
    return wrapped;
  }
}

function waitDrain(stream: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(stream.errored ?? new Error('upload body closed'));
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
