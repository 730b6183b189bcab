/**
 * Object storage (`s3://`, `gs://`): the options every command that reads or writes a bucket
 * shares, and the client's fixed defaults. The one place these live.
 */
import { z } from 'zod';
import type { OptionSpec } from './define.js';
import { fromText, positiveInt } from './values.js';

/** Stated defaults: Amazon S3 Standard in us-east-1 (GET $0.0004, PUT/COPY/POST/LIST $0.005 per 1,000 requests). */
export const DEFAULT_REQUEST_PRICES = { get: 0.0004, put: 0.005, list: 0.005 } as const;

/**
 * Image GETs in flight per worker thread. Measured (bench/object-storage.ts, one thread, Ceph RGW
 * behind a 20 ms round trip, 120 objects of 5-30 KB, 2 shared cores): 1, 4, 16, 32, 64 in flight
 * gave 14, 57, 199, 377, 528 objects/s; again with a new GET sent as soon as any ends
 * (src/async/in-order-ahead.ts), over the first 200 flowers images on a loaded machine: 13.9, 57.4,
 * 229.1, 426, 658.2. Per-request latency is hidden by concurrency until the CPU the client, the
 * object server and the network share is the limit; 32 a thread (64 with the default 2 threads)
 * takes most of the gain while a failing endpoint is not hit with hundreds of requests at once,
 * and a reader holds at most twice that many objects waiting for their turn.
 */
export const DEFAULT_IO_CONCURRENCY = 32;

const price = z.number().nonnegative().finite();
/** `0.0004` (GET; PUT and LIST keep their defaults) or `get=0.0004,put=0.005,list=0.005`. */
const requestPrices = z.union([
  z.object({ get: price, put: price, list: price }).strict(),
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const text = String(value).trim();
    if (/^\d+(\.\d+)?$/.test(text)) return { ...DEFAULT_REQUEST_PRICES, get: Number(text) };
    const prices: { get: number; put: number; list: number } = { ...DEFAULT_REQUEST_PRICES };
    for (const pair of text.split(',')) {
      const m = /^\s*(get|put|list)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(pair);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected a price such as 0.0004 or get=0.0004,put=0.005,list=0.005, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      prices[m[1] as 'get' | 'put' | 'list'] = Number(m[2]);
    }
    return prices;
  }),
]);

export const STORAGE_DEFAULTS = {
  /** Attempts per request (the first and 4 retries), backoff doubling from 100 ms, jittered, capped here. */
  attempts: 5,
  maxBackoffMs: 2000,
  connectTimeoutMs: 5000,
  /** No byte for this long on an open request: it is retried. */
  requestTimeoutMs: 60_000,
  /** Sockets per endpoint: above any --io-concurrency times the worker threads a machine runs. */
  maxSockets: 256,
  /** Files up to this size go in one PUT; larger ones in a multipart upload of `partBytes` parts. */
  multipartThreshold: 16 << 20,
  partBytes: 8 << 20,
} as const;

export const storageOptionSpecs = {
  endpoint: {
    schema: z.string().min(1).optional(), expected: 'a URL such as http://127.0.0.1:7480', value: '<url>',
    help: 'S3-compatible endpoint for s3:// URLs (path-style requests); default AWS_ENDPOINT_URL, else AWS (gs://: storage.googleapis.com)',
    defaultText: 'AWS_ENDPOINT_URL',
  },
} satisfies Record<string, OptionSpec>;

/** Options of commands that read many objects (speedtest). */
export const objectReadOptionSpecs = {
  ioConcurrency: {
    schema: positiveInt.max(256).default(DEFAULT_IO_CONCURRENCY), expected: 'an integer from 1 to 256', value: '<n>', fromText: fromText.int,
    help: 'object GETs in flight per worker thread for s3:// / gs:// image datasets',
  },
  pricePer1000Requests: {
    schema: requestPrices.default({ ...DEFAULT_REQUEST_PRICES }), expected: 'a price such as 0.0004, or get=0.0004,put=0.005,list=0.005', value: '<usd>',
    help: 'request prices for the cost in run.json (dollars per 1,000; GET alone, or get=,put=,list=)', defaultText: 'S3 Standard: get=0.0004,put=0.005,list=0.005',
  },
} satisfies Record<string, OptionSpec>;
