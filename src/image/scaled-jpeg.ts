/**
 * Our Node-API addon over the system's libjpeg-turbo (native/scaled-jpeg.c, built by
 * `npm run build:native`): a JPEG decoded at 1/1, 1/2, 1/4 or 1/8 of its size by libjpeg's DCT
 * scaling (OpenCV's IMREAD_REDUCED_COLOR_*, Pillow's draft()), synchronously on the calling thread,
 * into the caller's buffer. Loaded once per thread; when it is not built or does not load, this
 * says why (`scaledJpegStatus`) and big JPEGs keep going to sharp's shrink-on-load, more slowly.
 * PIPELINE_PORTABLE_JPEG=1 leaves it unloaded (as PIPELINE_PORTABLE_CRC=1 does the native CRC).
 * Its asynchronous decode (`decodeScaledAsync`, on libuv's pool, for big sources) writes the same
 * bytes; PIPELINE_SYNC_JPEG=1 leaves it unused (every decode on the calling thread, as before it),
 * to compare the two.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Reduction } from './dct-scale.js';

interface Addon {
  /**
   * Throws an Error with code 'JPEG_DECODE' (libjpeg's message) on any libjpeg error or warning.
   * Returns the decoded rows' width in pixels (see `decodeScaledInto`; undefined from a build before crops).
   */
  decode(
    file: Uint8Array,
    out: Uint8Array,
    reduction: Reduction,
    width: number,
    height: number,
    fastIdct: boolean,
    cropX?: number,
    cropWidth?: number,
  ): number | undefined;
  /**
   * The same decode on libuv's thread pool: settles with the rows' width, or rejects with the same
   * errors. `file` and `out` must stay untouched until it settles (out: a buffer of the caller's own,
   * never WebAssembly memory). Absent from builds before it.
   */
  decodeAsync?(...args: Parameters<Addon['decode']>): Promise<number>;
  /** The libjpeg-turbo version it was built against, e.g. 'libjpeg-turbo 2.1.5'. */
  libjpeg: string;
  /**
   * A plain PNG (8-bit, not interlaced) as RGB, alpha flattened on white (native/png-decode.c).
   * Throws an Error with code 'PNG_DECODE' on anything else and on any damage it finds.
   */
  decodePng?(file: Uint8Array, out: Uint8Array, width: number, height: number): void;
  /** decodePng on libuv's thread pool (file and out untouched until it settles); absent from builds before it. */
  decodePngAsync?(file: Uint8Array, out: Uint8Array, width: number, height: number): Promise<void>;
  /** The libdeflate version it was built against, e.g. 'libdeflate 1.14'. */
  libdeflate?: string;
}

export type ScaledJpegStatus = { loaded: true; libjpeg: string } | { loaded: false; reason: string };

/** Beside this module in dist/src/image/ (where build:native copies it), or node-gyp's own output (run from src/). */
const CANDIDATES = ['./scaled_jpeg.node', '../../build/Release/scaled_jpeg.node', '../../../build/Release/scaled_jpeg.node'];

function load(): { addon?: Addon; status: ScaledJpegStatus } {
  if (process.env.PIPELINE_PORTABLE_JPEG === '1') return { status: { loaded: false, reason: 'PIPELINE_PORTABLE_JPEG=1' } };
  const file = CANDIDATES.map((c) => new URL(c, import.meta.url)).find((url) => existsSync(url));
  if (!file) return { status: { loaded: false, reason: 'scaled_jpeg.node is not built (npm run build:native)' } };
  try {
    const addon = createRequire(import.meta.url)(file.pathname) as Addon;
    if (typeof addon.decode !== 'function') return { status: { loaded: false, reason: `${file.pathname} is not our addon` } };
    return { addon, status: { loaded: true, libjpeg: addon.libjpeg } };
  } catch (error) {
    // A missing libjpeg.so.62, a foreign architecture: the loader's first line says which.
    return { status: { loaded: false, reason: `scaled_jpeg.node does not load: ${String((error as Error).message).split('\n')[0]}` } };
  }
}

const { addon, status } = load();

/** Whether the addon is in use, and its libjpeg-turbo version or why not: for run records and the fallback notice. */
export const scaledJpegStatus: ScaledJpegStatus = status;

/**
 * Decodes `file` at 1/`reduction` into `out` (width * height * 3 bytes of RGB): which columns it
 * decoded when done (rows of `rowWidth` pixels from column `left`), undefined without the addon.
 * Throws on a corrupt or cut file (code 'JPEG_DECODE') and when libjpeg's scaled size is not
 * `width` x `height`.
 *
 * With `crop` ([x0, x1): the columns of the scaled image the caller will read), libjpeg may skip
 * the IDCT and colour conversion of the others: columns [left, x1), `left` at most x0 (libjpeg's
 * iMCU boundary). It decodes whole rows where that would change pixels (an upsampled component).
 */
export function decodeScaledInto(
  file: Uint8Array,
  out: Uint8Array,
  reduction: Reduction,
  width: number,
  height: number,
  fastIdct: boolean,
  crop?: readonly [number, number],
): { left: number; rowWidth: number } | undefined {
  if (!addon) return undefined;
  const rowWidth = crop
    ? addon.decode(file, out, reduction, width, height, fastIdct, crop[0], crop[1] - crop[0])
    : addon.decode(file, out, reduction, width, height, fastIdct);
  if (typeof rowWidth !== 'number' || rowWidth === width || !crop) return { left: 0, rowWidth: width };
  return { left: crop[1] - rowWidth, rowWidth };
}

/** Whether `decodeScaledAsync` is there (this build of the addon, and PIPELINE_SYNC_JPEG unset). */
export const scaledJpegAsync = !!addon?.decodeAsync && process.env.PIPELINE_SYNC_JPEG !== '1';

/**
 * `decodeScaledInto` on libuv's thread pool, into a buffer of its own (`pixels`: rows of
 * `rowWidth` pixels from column `left`, as there; `into` when given and big enough, else a new one):
 * the same bytes. Undefined when it is not available (`scaledJpegAsync`). `file` (and `into`) must
 * stay unchanged until the promise settles; it rejects (code 'JPEG_DECODE') on a corrupt or cut file.
 */
export function decodeScaledAsync(
  file: Uint8Array,
  reduction: Reduction,
  width: number,
  height: number,
  fastIdct: boolean,
  crop?: readonly [number, number],
  into?: Buffer,
): Promise<{ pixels: Buffer; left: number; rowWidth: number }> | undefined {
  if (!scaledJpegAsync || !addon?.decodeAsync) return undefined;
  // Not from Node's shared pool (allocUnsafe may hand out a slice of a pool other code writes into).
  const pixels = into && into.length >= width * height * 3 ? into : Buffer.allocUnsafeSlow(width * height * 3);
  const decoding = crop
    ? addon.decodeAsync(file, pixels, reduction, width, height, fastIdct, crop[0], crop[1] - crop[0])
    : addon.decodeAsync(file, pixels, reduction, width, height, fastIdct);
  return decoding.then((rowWidth) => (rowWidth === width || !crop ? { pixels, left: 0, rowWidth: width } : { pixels, left: crop[1] - rowWidth, rowWidth }));
}

/**
 * Decodes a PNG of `width` x `height` (its IHDR), 8-bit and not interlaced, into `out` as RGB,
 * alpha flattened on white (the same rounding as sharp's flatten): true when done, false without
 * the addon (or an older build of it). Throws (code 'PNG_DECODE') on any other PNG and on a
 * corrupt or cut file.
 */
export function decodePngInto(file: Uint8Array, out: Uint8Array, width: number, height: number): boolean {
  if (!addon?.decodePng) return false;
  addon.decodePng(file, out, width, height);
  return true;
}

/**
 * `decodePngInto` on libuv's thread pool, into a new buffer of its own (width * height * 3 bytes
 * of RGB): the same bytes. Undefined when it is not available (an older build, or
 * PIPELINE_SYNC_JPEG=1, which keeps every decode of ours on the calling thread). `file` must stay
 * unchanged until the promise settles; it rejects (code 'PNG_DECODE') as `decodePngInto` throws.
 */
export function decodePngAsync(file: Uint8Array, width: number, height: number): Promise<Buffer> | undefined {
  if (!scaledJpegAsync || !addon?.decodePngAsync) return undefined;
  const pixels = Buffer.allocUnsafeSlow(width * height * 3);
  return addon.decodePngAsync(file, pixels, width, height).then(() => pixels);
}
