/**
 * How big a source must be for its decode to leave the worker thread (src/image/fast-jpeg.ts,
 * src/convert/partition-task.ts). No imports: the worker threads' image code reads it, and loading
 * zod there would cost about 40 ms of each thread's start.
 */

/**
 * A plain JPEG of at least this many pixels is decoded on libuv's thread pool (our addon's
 * decodeAsync) while the worker thread fits and encodes the images before it: one partition of big
 * photos then keeps every core busy. About 1.5 MP, the addon's own range (past it a DCT-scaled
 * decode takes several milliseconds, so the hop's tens of microseconds are noise); smaller images
 * stay wholly on the worker thread, where a hop would cost more than it spreads (issue 23).
 */
export const ASYNC_DECODE_MIN_PIXELS = 1_500_000;
