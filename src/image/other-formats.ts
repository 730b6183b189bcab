/**
 * PNG and WebP on the same synchronous footing as plain JPEGs, decoded on the calling thread (about
 * 2 ms of a sharp call's hand-offs saved), alpha flattened on white, into the resampler's memory.
 * PNGs of 8 bits, not interlaced (nearly all) by our addon (native/png-decode.c: libdeflate's
 * inflate, about 60 us for a 96x72 crop and 1.3 ms for a 500x375 photo, half of @napi-rs/image's
 * time, same pixels); the rest, any PNG the addon refuses, and WebP by @napi-rs/image's
 * `rawPixelsSync`, loaded by the first such file (src/image/napi-image-lazy.ts).
 * Only plain files come here: 8 bits per sample, no colour profile (iCCP / the ICC flag, which sharp
 * converts to sRGB), no EXIF orientation (eXIf / the EXIF flag, which sharp applies), complete (an
 * IEND chunk); anything else, and any decoder error, goes to sharp, which judges and reports it.
 * Big PNGs (at least ASYNC_DECODE_MIN_PIXELS) may be decoded by the addon on libuv's pool instead
 * (`planPngOffThread`, `decodePngOffThread`: the same bytes), as big JPEGs are (src/image/fast-jpeg.ts).
 * GIF, TIFF, AVIF: sharp (@napi-rs/image has no decoder for some and no synchronous gain for others).
 */
import { readImageHeader } from './header.js';
import { inputPixels } from './resample.js';
import { decodePngAsync, decodePngInto, scaledJpegAsync } from './scaled-jpeg.js';
import { ASYNC_DECODE_MIN_PIXELS } from '../options/image-decode.js';
import { napiTransformer } from './napi-image-lazy.js';

/** Past this many pixels sharp's path is used (it streams; this one holds the image). */
const MAX_PIXELS = 16_000_000;

const u32be = (d: Uint8Array, i: number) => ((d[i] << 24) >>> 0) + ((d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]);

/** A PNG's chunk names up to IDAT, and whether it ends with IEND. */
function pngChunks(d: Uint8Array): { names: Set<string>; complete: boolean } | undefined {
  const names = new Set<string>();
  let pos = 8;
  while (pos + 8 <= d.length) {
    const name = String.fromCharCode(d[pos + 4], d[pos + 5], d[pos + 6], d[pos + 7]);
    if (name === 'IDAT') break;
    names.add(name);
    pos += 12 + u32be(d, pos);
  }
  if (pos + 8 > d.length) return undefined;
  const tail = d.subarray(Math.max(0, d.length - 12));
  return { names, complete: String.fromCharCode(tail[4], tail[5], tail[6], tail[7]) === 'IEND' };
}

/** Whether a PNG or WebP file is plain enough for this path (see above). */
function plain(file: Uint8Array, format: 'png' | 'webp'): boolean {
  if (format === 'webp') {
    const chunk = String.fromCharCode(file[12], file[13], file[14], file[15]);
    // VP8X flags: ICC 0x20, EXIF 0x08, animation 0x02.
    return chunk !== 'VP8X' || (file[20] & (0x20 | 0x08 | 0x02)) === 0;
  }
  const chunks = pngChunks(file);
  return !!chunks && chunks.complete && !chunks.names.has('iCCP') && !chunks.names.has('eXIf') && !chunks.names.has('acTL');
}

/**
 * Decodes a plain 8-bit PNG or WebP into the resampler's memory as RGB (alpha flattened on white,
 * grey repeated), valid until the next call on this thread; undefined for sharp's path.
 */
export function decodeOtherInto(file: Buffer, maxPixels = Infinity): { width: number; height: number } | undefined {
  const header = readImageHeader(file);
  if ((header?.format !== 'png' && header?.format !== 'webp') || header.bitsPerSample !== 8 || !header.width || !header.height) return undefined;
  const { width, height } = header;
  if (width * height > Math.min(maxPixels, MAX_PIXELS) || !plain(file, header.format)) return undefined;
  if (header.format === 'png') {
    try {
      if (decodePngInto(file, inputPixels(width, height), width, height)) return { width, height };
    } catch {
      // Interlaced, or something our decoder refuses: @napi-rs/image below, then sharp, as before it.
    }
  }
  let pixels: Buffer;
  try {
    pixels = new (napiTransformer())(file).rawPixelsSync();
  } catch {
    return undefined;
  }
  const channels = pixels.length / (width * height);
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) return undefined;
  toRgbOnWhite(pixels, channels, inputPixels(width, height));
  return { width, height };
}

/** 1-4 channel pixels to RGB in `out`: grey repeated, alpha blended over white (as sharp's flatten, rounded). */
function toRgbOnWhite(pixels: Buffer, channels: number, out: Buffer): void {
  if (channels === 3) {
    out.set(pixels);
    return;
  }
  const n = pixels.length / channels;
  for (let i = 0, s = 0, d = 0; i < n; i++, s += channels, d += 3) {
    const grey = channels <= 2;
    const alpha = channels === 2 ? pixels[s + 1] : channels === 4 ? pixels[s + 3] : 255;
    const r = pixels[s];
    const g = grey ? r : pixels[s + 1];
    const b = grey ? r : pixels[s + 2];
    if (alpha === 255) {
      out[d] = r;
      out[d + 1] = g;
      out[d + 2] = b;
    } else {
      const white = 255 * (255 - alpha);
      out[d] = Math.round((r * alpha + white) / 255);
      out[d + 1] = Math.round((g * alpha + white) / 255);
      out[d + 2] = Math.round((b * alpha + white) / 255);
    }
  }
}

/**
 * A plain, not interlaced, 8-bit PNG of at least ASYNC_DECODE_MIN_PIXELS pixels (and at most
 * this path's limit): its size, for `decodePngOffThread`; undefined for every other file (they stay
 * on this thread: `decodeOtherInto`).
 */
export function planPngOffThread(file: Buffer, maxPixels = Infinity): { width: number; height: number } | undefined {
  if (!scaledJpegAsync) return undefined;
  const header = readImageHeader(file);
  if (header?.format !== 'png' || header.bitsPerSample !== 8 || !header.width || !header.height) return undefined;
  const { width, height } = header;
  // IHDR's interlace byte (our decoder refuses Adam7: @napi-rs/image's, on this thread, takes those).
  if (width * height < ASYNC_DECODE_MIN_PIXELS || width * height > Math.min(maxPixels, MAX_PIXELS) || file[28] !== 0 || !plain(file, 'png')) return undefined;
  return { width, height };
}

/**
 * A `planPngOffThread` PNG decoded on libuv's pool: its RGB pixels (a buffer of their own), or
 * undefined when our decoder refuses it (the caller then tries this thread's decoders and sharp).
 * `file` must stay unchanged until it settles.
 */
export async function decodePngOffThread(file: Buffer, size: { width: number; height: number }): Promise<Buffer | undefined> {
  try {
    return await decodePngAsync(file, size.width, size.height);
  } catch {
    return undefined;
  }
}
