/**
 * One bucket of an S3-compatible store (Amazon S3, Cloud Storage's XML API, Ceph RGW, MinIO...)
 * through `@aws-sdk/client-s3`: list (paginated, one page in memory at a time), get (whole, a range,
 * or streamed), put (one PUT, or a multipart upload through `@aws-sdk/lib-storage` for large files:
 * either way the object appears only complete), delete, and create-if-absent (`If-None-Match: *`)
 * for locks. Every request is counted and retried with backoff on 503 SlowDown, 5xx and resets.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { stat } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PipelineError } from '../errors.js';
import { STORAGE_DEFAULTS } from '../options/storage.js';
import { isMissing, isPreconditionFailed, isRetryable, storageError } from './storage-errors.js';
import { FastGet } from './fast-get.js';
import { RequestStats, threadRequestStats, type RequestKind, type RequestStatsData } from './request-stats.js';
import { formatStorageUrl, parseStorageUrl, type StorageScheme } from './url.js';

import { storageConfig, type StorageConfig } from './storage-config.js';

export { useStorageConfig, type StorageConfig } from './storage-config.js';

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
}

/** Cloud Storage's S3-compatible XML API: HMAC keys as the access key id and secret. */
export const GCS_ENDPOINT = 'https://storage.googleapis.com';

/** This thread's requests, all buckets together (declared in request-stats.ts, which loads no SDK). */
export { threadRequestStats };

/** This thread's requests since the last call, as data (a job's share), and a fresh start. */
export function takeRequestStats(): RequestStatsData {
  const data = threadRequestStats.snapshot();
  threadRequestStats.reset();
  return data;
}

/** The endpoint requests go to, or undefined for AWS's own (resolved by the SDK from the region). */
export function resolveEndpoint(scheme: StorageScheme, config: StorageConfig = {}): string | undefined {
  const endpoint = config.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? (scheme === 'gs' ? GCS_ENDPOINT : undefined);
  if (endpoint === undefined || endpoint === '') return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new PipelineError('USAGE', `--endpoint: expected a URL such as http://127.0.0.1:7480 or https://storage.googleapis.com, got ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PipelineError('USAGE', `--endpoint: expected an http:// or https:// URL, got ${JSON.stringify(url.protocol)}`);
  // Keys in a URL would be printed and stored with it: they belong in the credential chain.
  if (url.username || url.password) throw new PipelineError('USAGE', '--endpoint: expected a URL without user name or password (give keys through AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile)');
  return url.origin;
}


/** Keys given in code (tests, library callers); the command line never takes them, only the SDK's chain. */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

interface ClientEntry {
  client: S3Client;
  endpoint: string;
  /** The endpoint as configured (undefined: AWS's own, from the region). */
  configured: string | undefined;
  agents: { http: HttpAgent; https: HttpsAgent };
}

const entries = new Map<string, ClientEntry>();

function clientFor(scheme: StorageScheme, config: StorageConfig, credentials?: StaticCredentials): ClientEntry {
  const endpoint = resolveEndpoint(scheme, config);
  const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (scheme === 'gs' ? 'auto' : 'us-east-1');
  const id = `${endpoint ?? 'aws'}|${region}|${credentials?.accessKeyId ?? ''}`;
  let entry = entries.get(id);
  if (!entry) {
    // The SDK's warning about its own future versions (Node 22+) is not the user's business here:
    // package.json pins a version that supports Node 20.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const agent = { keepAlive: true, maxSockets: STORAGE_DEFAULTS.maxSockets };
    const agents = { http: new HttpAgent(agent), https: new HttpsAgent(agent) };
    const client = new S3Client({
      region,
      ...(credentials ? { credentials } : {}),
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      followRegionRedirects: true,
      // Our retries (below) count each attempt; the SDK's own would hide them.
      maxAttempts: 1,
      // Checksum trailers (aws-chunked) are not understood by Cloud Storage's XML API nor by older
      // gateways; the payload is still signed, and shards carry their own SHA-256 in the manifest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        httpAgent: agents.http,
        httpsAgent: agents.https,
        connectionTimeout: STORAGE_DEFAULTS.connectTimeoutMs,
        requestTimeout: STORAGE_DEFAULTS.requestTimeoutMs,
      },
    });
    entry = { client, endpoint: endpoint ?? `s3.${region}.amazonaws.com`, configured: endpoint, agents };
    entries.set(id, entry);
  }
  return entry;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ObjectStore {
  readonly client: S3Client;
  /** Shown in messages (never holds a key). */
  readonly endpoint: string;

  private readonly fast: FastGet;

  constructor(
    readonly scheme: StorageScheme,
    readonly bucket: string,
    config: StorageConfig = {},
    readonly stats: RequestStats = threadRequestStats,
    credentials?: StaticCredentials,
  ) {
    const entry = clientFor(scheme, config, credentials);
    this.client = entry.client;
    this.endpoint = entry.endpoint;
    this.fast = new FastGet(entry.client, entry.configured, bucket, entry.agents);
  }

  url(key: string): string {
    return formatStorageUrl({ scheme: this.scheme, bucket: this.bucket, key });
  }

  /**
   * Runs one request with retries: each attempt counted as a request of its kind, each retry
   * counted; backoff doubles from 100 ms (full jitter), at most STORAGE_DEFAULTS.attempts attempts.
   */
  async request<T>(kind: RequestKind, what: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.stats.count(kind);
      try {
        return await send();
      } catch (error) {
        if (attempt < STORAGE_DEFAULTS.attempts && isRetryable(error)) {
          this.stats.counts.retries++;
          await sleep(Math.random() * Math.min(STORAGE_DEFAULTS.maxBackoffMs, 100 * 2 ** (attempt - 1)));
          continue;
        }
        if (!isMissing(error) && !isPreconditionFailed(error)) this.stats.counts.failed++;
        throw Object.assign(error as object, { what });
      }
    }
  }

  /** The error for the user: missing bucket, refused keys, access denied, endpoint down (storage-errors.ts). */
  fail(error: unknown, what?: string): PipelineError {
    return storageError(error, what ?? (error as { what?: string })?.what ?? `request to ${this.url('')}`, this.bucket, this.endpoint);
  }

  /** Exit 3 naming the bucket when it does not exist; exit 2 when the keys are refused. */
  async checkBucket(): Promise<void> {
    try {
      await this.request('head', `bucket ${this.bucket}`, () => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
    } catch (error) {
      if (isMissing(error))
        throw new PipelineError('STORAGE', `bucket ${this.bucket} does not exist (endpoint ${this.endpoint}): create it, or check the URL`, {
          path: this.bucket,
          cause: error,
        });
      // HeadBucket has no body: a 403 does not say whether the keys or the rights are wrong. A list does.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
        for await (const _ of this.list('', { pageSize: 1 })) break;
        return;
      }
      throw this.fail(error);
    }
  }

  /**
   * Objects under `prefix` in key order, one page (1,000 keys) in memory at a time. With
   * `delimiter`, only the objects at that level (sub-"folders" come from `folders`).
   */
  async *list(prefix: string, options: { delimiter?: string; pageSize?: number } = {}): AsyncGenerator<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.request('list', `listing ${this.url(prefix)}`, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, Delimiter: options.delimiter, MaxKeys: options.pageSize }),
        ),
      ).catch((error) => {
        throw this.fail(error);
      });
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0, etag: o.ETag };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** The "sub-folders" right below `prefix` (common prefixes with "/"), each ending in "/". */
  async folders(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.request('list', `listing ${this.url(prefix)}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token })),
      ).catch((error) => {
        throw this.fail(error);
      });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  /** Size of an object, or undefined when there is none. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const r = await this.request('head', `reading ${this.url(key)}`, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { key, size: r.ContentLength ?? 0, etag: r.ETag };
    } catch (error) {
      if (isMissing(error) && (error as { name?: string }).name !== 'NoSuchBucket') return undefined;
      // A HEAD's 403 has no body to say why: a one-key listing does (wrong keys: exit 2; no right: exit 3).
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
        for await (const _ of this.list(key, { pageSize: 1 })) break;
      }
      throw this.fail(error);
    }
  }

  /**
   * The whole object (or bytes [start, end)); a missing object is NOT_FOUND. Retries cover the body
   * too. The body is taken from the response's events, not through stream()'s async generators: an
   * image dataset is thousands of small objects, and per GET the generators, the response's async
   * iterator and the copy into one buffer were a fifth of the reader's CPU (one chunk is returned as
   * it came).
   */
  async get(key: string, range?: { start: number; end: number }): Promise<Buffer> {
    const start = range?.start ?? 0;
    const end = range?.end;
    if (end !== undefined && end <= start) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let position = start;
    const take = (chunk: Uint8Array) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      chunks.push(buffer);
      position += buffer.length;
    };
    for (let attempt = 1; ; attempt++) {
      const { body } = await this.get1(key, position, end);
      try {
        await drain(body, take);
        break;
      } catch (error) {
        await this.retryBody(error, attempt, key);
      } finally {
        body.destroy?.();
      }
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, position - start);
  }

  /** The object as a string, or undefined when it does not exist. */
  async getText(key: string): Promise<string | undefined> {
    try {
      return (await this.get(key)).toString('utf8');
    } catch (error) {
      if (error instanceof PipelineError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * The object's bytes as they arrive (one GET, ranged when asked). A connection reset mid-body is
   * retried from the byte reached, so a long shard read survives a flaky network.
   */
  async *stream(key: string, range?: { start: number; end?: number }): AsyncGenerator<Buffer> {
    const opened = await this.open(key, range);
    yield* opened.chunks;
  }

  /**
   * One GET (ranged from `start`, to `end` when given), its response awaited: the object's whole
   * size (from Content-Range or Content-Length) and its bytes. What a reader needs from one request.
   */
  async open(key: string, range?: { start: number; end?: number }): Promise<{ size: number; chunks: AsyncGenerator<Buffer> }> {
    const start = range?.start ?? 0;
    const end = range?.end;
    if (end !== undefined && end <= start) return { size: end, chunks: (async function* () {})() };
    const first = await this.get1(key, start, end);
    return { size: first.size, chunks: this.body(key, first.body, start, end) };
  }

  private async get1(
    key: string,
    position: number,
    end: number | undefined,
  ): Promise<{ size: number; body: AsyncIterable<Uint8Array> & { destroy?: () => void } }> {
    const began = performance.now();
    const wanted = position > 0 || end !== undefined ? `bytes=${position}-${end === undefined ? '' : end - 1}` : undefined;
    try {
      const r = await this.request('get', `reading ${this.url(key)}`, async () => {
        const fast = await this.fast.get(key, wanted);
        if (fast) return fast;
        // Not a 200 / 206: the SDK's request says why (its error has the server's code).
        this.stats.count('get');
        const sdk = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: wanted }));
        const total = /\/(\d+)$/.exec(sdk.ContentRange ?? '')?.[1];
        return {
          size: total !== undefined ? Number(total) : position + (sdk.ContentLength ?? 0),
          body: sdk.Body as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void },
        };
      });
      this.stats.sampleTtfb(performance.now() - began);
      return r;
    } catch (error) {
      // A range starting at the end of the object (an empty read) is 416 on S3: nothing to read.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) return { size: position, body: (async function* () {})() };
      throw this.fail(error);
    }
  }

  private async *body(
    key: string,
    first: AsyncIterable<Uint8Array> & { destroy?: () => void },
    start: number,
    end: number | undefined,
  ): AsyncGenerator<Buffer> {
    let position = start;
    let body = first;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) body = (await this.get1(key, position, end)).body;
      try {
        for await (const chunk of body) {
          position += chunk.length;
          yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        }
        return;
      } catch (error) {
        await this.retryBody(error, attempt, key);
      } finally {
        body.destroy?.();
      }
    }
  }

  /** A body cut off midway: returns after the backoff when the error is worth another GET (from the byte reached), else throws the user's error. */
  private async retryBody(error: unknown, attempt: number, key: string): Promise<void> {
    if (attempt < STORAGE_DEFAULTS.attempts && isRetryable(error)) {
      this.stats.counts.retries++;
      await sleep(Math.random() * Math.min(STORAGE_DEFAULTS.maxBackoffMs, 100 * 2 ** (attempt - 1)));
      return;
    }
    this.stats.counts.failed++;
    throw this.fail(error, `reading ${this.url(key)}`);
  }

  /** One PUT: the object appears complete or not at all. */
  async put(key: string, body: Buffer | string, contentType?: string): Promise<void> {
    try {
      await this.request('put', `writing ${this.url(key)}`, () =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })),
      );
    } catch (error) {
      throw this.fail(error);
    }
  }

  /**
   * A local file as an object: one PUT up to the multipart threshold, else a multipart upload
   * (parts in parallel; the object appears only at CompleteMultipartUpload, and a failed upload is
   * aborted so no parts are left billed). `signal` stops a multipart upload midway (SIGINT): its
   * parts are aborted, and the signal's reason is thrown.
   */
  async putFile(key: string, path: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const size = (await stat(path)).size;
    if (size <= STORAGE_DEFAULTS.multipartThreshold) {
      const { readFile } = await import('node:fs/promises');
      return this.put(key, await readFile(path));
    }
    const what = `writing ${this.url(key)}`;
    for (let attempt = 1; ; attempt++) {
      // Requests of a multipart upload: CreateMultipartUpload, one per part, Complete (all PUT/POST, billed as PUT).
      const parts = Math.ceil(size / STORAGE_DEFAULTS.partBytes);
      for (let i = 0; i < parts + 2; i++) this.stats.count('put');
      try {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key: key, Body: createReadStream(path, { highWaterMark: 1 << 20 }) },
          partSize: STORAGE_DEFAULTS.partBytes,
          queueSize: 4,
          leavePartsOnError: false,
        });
        const stop = () => void upload.abort();
        signal?.addEventListener('abort', stop, { once: true });
        try {
          await upload.done();
        } finally {
          signal?.removeEventListener('abort', stop);
        }
        return;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (attempt < STORAGE_DEFAULTS.attempts && isRetryable(error)) {
          this.stats.counts.retries++;
          await sleep(Math.random() * Math.min(STORAGE_DEFAULTS.maxBackoffMs, 100 * 2 ** (attempt - 1)));
          continue;
        }
        this.stats.counts.failed++;
        throw this.fail(error, what);
      }
    }
  }

  /** Deletes one object (no error when it is already gone). */
  async delete(key: string): Promise<void> {
    try {
      await this.request('delete', `deleting ${this.url(key)}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (error) {
      if (isMissing(error) && (error as { name?: string }).name !== 'NoSuchBucket') return;
      throw this.fail(error);
    }
  }

  /** Deletes several objects, a few requests in flight. */
  async deleteAll(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((k) => this.delete(k)));
  }

  /**
   * Creates the object only if no object has that key (`If-None-Match: *`, supported by S3 since
   * 2024, Cloud Storage and Ceph RGW): true when created, false when one was already there.
   */
  async createIfAbsent(key: string, body: string): Promise<boolean> {
    try {
      await this.request('put', `creating ${this.url(key)}`, () =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, IfNoneMatch: '*' })),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || (error as { name?: string }).name === 'ConditionalRequestConflict') return false;
      throw this.fail(error);
    }
  }

  /** Aborts every unfinished multipart upload under `prefix` (a killed run's parts): how many. */
  async abortUploads(prefix: string): Promise<number> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadMarker: string | undefined;
    for (;;) {
      const page = await this.request('list', `listing uploads under ${this.url(prefix)}`, () =>
        this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadMarker })),
      ).catch((error) => {
        throw this.fail(error);
      });
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId) continue;
        await this.request('delete', `aborting an upload of ${this.url(u.Key)}`, () =>
          this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId })),
        ).catch(() => undefined);
        aborted++;
      }
      if (!page.IsTruncated) return aborted;
      keyMarker = page.NextKeyMarker;
      uploadMarker = page.NextUploadIdMarker;
    }
  }
}

/** A response body read to its end, each chunk given to `take`; rejects when the body is cut off. */
function drain(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, take: (chunk: Uint8Array) => void): Promise<void> {
  const stream = body as Partial<Readable>;
  if (typeof stream.on !== 'function') {
    return (async () => {
      for await (const chunk of body) take(chunk);
    })();
  }
  const readable = stream as Readable;
  return new Promise((resolve, reject) => {
    readable.on('data', take);
    readable.once('end', resolve);
    readable.once('error', reject);
    // A socket closed before the body's end, with no error said: a reset, worth a retry from the byte reached.
    readable.once('close', () => {
      if (!readable.readableEnded) reject(Object.assign(new Error('connection closed before the end of the body (aborted)'), { code: 'ECONNRESET' }));
    });
  });
}

const stores = new Map<string, ObjectStore>();

/** The store of a URL's bucket (one per bucket and endpoint per thread) and the URL's key. */
export function openUrl(url: string, config: StorageConfig = storageConfig()): { store: ObjectStore; key: string } {
  const parsed = parseStorageUrl(url);
  const id = `${parsed.scheme}|${parsed.bucket}|${config.endpoint ?? ''}|${config.region ?? ''}`;
  let store = stores.get(id);
  if (!store) stores.set(id, (store = new ObjectStore(parsed.scheme, parsed.bucket, config)));
  return { store, key: parsed.key };
}
