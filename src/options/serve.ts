/** `pipeline serve`'s options. */
import { z } from 'zod';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { fromText, intInRange } from './values.js';

export const serveOptions = defineOptions('serve', {
  port: { schema: intInRange(0, 65535).default(8080), expected: 'an integer from 0 to 65535', help: 'TCP port (0: any free one)', value: '<n>', fromText: fromText.int },
  host: { schema: z.string().min(1).default('127.0.0.1'), expected: 'an address to listen on', help: 'address to listen on (0.0.0.0 for every interface)', value: '<address>' },
});

/**
 * What one `pipeline serve` process accepts and how long it waits (README: "Limits of serve").
 * A measurement table is small by nature; these keep a hostile client from holding the server.
 */
export const SERVE_LIMITS = {
  /** Request bodies above this are refused (413). */
  bodyBytes: 1 << 20,
  /** A client must send its request headers within this (then 408 and the connection closed). */
  headersTimeoutMs: 10_000,
  /** ... and its whole body within this from the start of the request. */
  bodyTimeoutMs: 20_000,
  /** Threads that compute answers (the event loop only reads, routes and writes). */
  threads: 2,
  /** Requests waiting for a thread at most; more are refused with 503 (retry later). */
  queue: 16,
  /** JSON nested deeper than this is refused (400): nothing in a request needs more than a few levels. */
  jsonNesting: 64,
} as const;

export type ServeOptionsInput = OptionsInput<typeof serveOptions>;
export type ServeSettings = OptionsOutput<typeof serveOptions>;
