/**
 * The fast path for plain JPEGs (most photo datasets), all on the calling thread: libjpeg-turbo
 * (@julusian/jpeg-turbo, synchronous) decodes straight into the resampler's memory and encodes,
 * and src/image/resample.ts resizes. A sharp call pays libvips' thread hand-offs on top of the
 * work (about 1.5 ms of fixed cost per call here, for 2-4 ms of work). Only what `probeJpeg` calls
 * plain comes here, cut files never do; anything else, or any doubt, goes to sharp's full path,
 * which handles and judges all.
 *
 * That binding always decodes with libjpeg-turbo's fast integer IDCT, whose error shows in files
 * of finer quantisation: at 192x192 it costs about 0.3 dB PSNR for quality-90 photos, 1 dB at 95
 * (against the same path with an exact decode). Files past quality 90 are decoded by @napi-rs/image
 * instead, exact enough and about twice as slow.
 */
import turbo from '@julusian/jpeg-turbo';
import { Transformer } from '@napi-rs/image';
import { probeJpeg } from './jpeg-probe.js';
import { coverBox, inputPixels, resizeRgb, type Box } from './resample.js';

export interface RawImage {
  pixels: Buffer;
  width: number;
  height: number;
}

export interface FitTarget {
  width: number;
  height: number;
  fit: 'cover' | 'fill';
}

/** Past this many source pixels sharp's path is used (it streams; this one holds the image). */
const MAX_FAST_PIXELS = 16_000_000;

/**
 * Whether `file` is a plain JPEG for the fast path: not at least twice the target size both
 * ways (there sharp's shrink-on-load, decoding at 1/2, 1/4 or 1/8 scale, beats any full decode),
 * within `maxPixels`, with its end marker.
 */
function plainSize(file: Buffer, target: { width: number; height: number }, maxPixels: number): { width: number; height: number; quality?: number } | undefined {
  const info = probeJpeg(file);
  if (!info?.plain || info.width * info.height > Math.min(maxPixels, MAX_FAST_PIXELS) || !endsWithEoi(file)) return undefined;
  if (info.width >= 2 * target.width && info.height >= 2 * target.height) return undefined;
  return info;
}

/** A plain JPEG decoded into the resampler's memory, for `fitDecoded`. */
export interface DecodedPlain {
  width: number;
  height: number;
}

/**
 * Decodes a plain JPEG into the resampler's memory (valid until the next call on this thread), or
 * returns undefined for sharp's path.
 */
export function decodePlainInto(file: Buffer, target: { width: number; height: number }, maxPixels = Infinity): DecodedPlain | undefined {
  const size = plainSize(file, target, maxPixels);
  if (!size) return undefined;
  try {
    return decodeInto(file, size, inputPixels(size.width, size.height)) ? { width: size.width, height: size.height } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The image of the last `decodePlainInto` fitted to `target` (Pillow's geometry and bicubic kernel).
 * The pixels are a view of the resampler's memory, valid until the next call on this thread:
 * encode or copy them at once.
 */
export function fitDecoded(decoded: DecodedPlain, target: FitTarget): Buffer {
  const box: Box = target.fit === 'cover' ? coverBox(decoded.width, decoded.height, target.width, target.height) : [0, 0, decoded.width, decoded.height];
  return resizeRgb(decoded.width, decoded.height, box, target.width, target.height);
}

/** Both steps: a plain JPEG fitted to `target`, or undefined for sharp's path. */
export function fitPlainJpeg(file: Buffer, target: FitTarget, maxPixels = Infinity): RawImage | undefined {
  const decoded = decodePlainInto(file, target, maxPixels);
  return decoded && { pixels: fitDecoded(decoded, target), width: target.width, height: target.height };
}

/** RGB pixels of a plain JPEG at full size (a new buffer), or undefined for sharp's full path. */
export function decodePlainJpeg(file: Buffer, target: { width: number; height: number }, maxPixels = Infinity): RawImage | undefined {
  const size = plainSize(file, target, maxPixels);
  if (!size) return undefined;
  try {
    const pixels = Buffer.alloc(size.width * size.height * 3);
    return decodeInto(file, size, pixels) ? { pixels, width: size.width, height: size.height } : undefined;
  } catch {
    return undefined;
  }
}

/** Where the fast IDCT's error stays small (see above). */
const FAST_IDCT_MAX_QUALITY = 90;

/**
 * RGB pixels (a new buffer) of a plain JPEG of quality 90 or less, any size, by libjpeg-turbo on
 * the calling thread; undefined for anything else. About 1.4x @napi-rs/image's decode on 192x192
 * images here (libjpeg-turbo's set-up per call weighs on images this small).
 */
export function decodeJpegFast(file: Buffer): RawImage | undefined {
  const info = probeJpeg(file);
  if (!info?.plain || info.quality === undefined || info.quality > FAST_IDCT_MAX_QUALITY || !endsWithEoi(file)) return undefined;
  try {
    // Into a reused buffer, then copied: a fresh buffer from the binding costs more than the copy.
    const bytes = info.width * info.height * 3;
    if (decodeBuffer.length < bytes) decodeBuffer = Buffer.allocUnsafe(bytes);
    const decoded = turbo.decompressSync(file, decodeBuffer, { format: turbo.FORMAT_RGB });
    return decoded.width === info.width && decoded.height === info.height ? { pixels: Buffer.from(decodeBuffer.subarray(0, bytes)), width: info.width, height: info.height } : undefined;
  } catch {
    return undefined;
  }
}

let decodeBuffer = Buffer.alloc(0);

/** Decodes into `pixels` (exactly width x height x 3 bytes); false when the decoder disagrees on the size. */
function decodeInto(file: Buffer, size: { width: number; height: number; quality?: number }, pixels: Buffer): boolean {
  if (size.quality !== undefined && size.quality <= FAST_IDCT_MAX_QUALITY) {
    const decoded = turbo.decompressSync(file, pixels, { format: turbo.FORMAT_RGB });
    return decoded.width === size.width && decoded.height === size.height;
  }
  const decoded = new Transformer(file).rawPixelsSync();
  if (decoded.length !== pixels.length) return false;
  pixels.set(decoded);
  return true;
}

/** The encoder's worst-case output buffer, reused: the result is copied out at its real size. */
let encoded = Buffer.alloc(0);

/** Baseline JPEG of RGB pixels, 4:2:0 chroma as Pillow and sharp write by default. */
export function encodeJpeg(pixels: Buffer, width: number, height: number, quality: number): Buffer {
  const options = { format: turbo.FORMAT_RGB, width, height, quality, subsampling: turbo.SAMP_420 };
  const needed = turbo.bufferSize(options);
  if (encoded.length < needed) encoded = Buffer.alloc(needed);
  return Buffer.from(turbo.compressSync(pixels, encoded, options));
}

/** The end-of-image marker, padding some writers add after it allowed. */
export function endsWithEoi(file: Uint8Array): boolean {
  let end = file.length;
  while (end > 2 && (file[end - 1] === 0x00 || file[end - 1] === 0x0a || file[end - 1] === 0x0d)) end--;
  return file[end - 2] === 0xff && file[end - 1] === 0xd9;
}
