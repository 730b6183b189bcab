/**
 * The decode paths of the speed test, chosen by measurement (see the README's performance notes):
 *
 * - Encoded images from TFRecords (already at their stored size): plain RGB JPEGs of quality 90 or
 *   less by libjpeg-turbo on the calling thread (src/image/fast-jpeg.ts, about 1.4x the next), others
 *   by @napi-rs/image's synchronous decode, about 1,800-2,000 images/s per thread for 192x192 JPEGs
 *   here, against about 450 for a sharp call (whose per-call hand-offs between threads cost more
 *   than the decode itself) and about 1,400 for Pillow.
 * - Image files, fitted to the stored size: plain JPEGs decoded and fitted on the calling
 *   thread (src/image/fast-jpeg.ts, the same path as convert's); other files by sharp's full path.
 */
import { Transformer } from '@napi-rs/image';
import { decodeJpegFast, decodePlainInto, endsWithEoi, fitDecoded } from '../image/fast-jpeg.js';
import { readImageHeader } from '../image/header.js';
import { loadSharp } from '../image/sharp-lazy.js';
import type { StageClock } from './stages.js';
import { DEFAULT_CHANNELS } from '../options/speedtest-defaults.js';

export interface DecodedImage {
  pixels: Buffer;
  width: number;
  height: number;
  /** Samples per pixel (8 bits each): 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels?: number;
}

/**
 * Decodes an encoded image of any pixel format (grey, grey + alpha, RGB, RGBA, palette, 16-bit;
 * JPEG, PNG, WebP) to 8-bit samples, converted to `channels` (default: the image's own).
 * `width` and `height` are the record's own features when it has them, checked against the pixels;
 * without them the image header says the size.
 */
export function decodeStored(encoded: Uint8Array, width?: number, height?: number, channels?: number): DecodedImage {
  const input = Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const header = readImageHeader(input);
  // The decoder fills a cut JPEG with grey without a word; TensorFlow's decode_jpeg refuses it, and so do we.
  if (header?.format === 'jpeg' && !endsWithEoi(input)) throw new Error('truncated JPEG (no end-of-image marker)');
  if (header?.format === 'jpeg' && (channels === undefined || channels === 3)) {
    const fast = decodeJpegFast(input);
    // A size that disagrees with the record's features falls through to the error below.
    if (fast && (width === undefined || fast.width === width) && (height === undefined || fast.height === height)) return { ...fast, channels: 3 };
  }
  const transformer = new Transformer(input);
  let pixels = transformer.rawPixelsSync();
  if (width === undefined || height === undefined || !header?.width) {
    const size = header?.width ? header : new Transformer(input).metadataSync();
    width ??= size.width;
    height ??= size.height;
  }
  const bytesPerSample = header?.bitsPerSample === 16 ? 2 : 1;
  const own = pixels.length / (width * height * bytesPerSample);
  if (!Number.isInteger(own) || own < 1 || own > 4) {
    throw new Error(`decoded ${pixels.length} bytes, expected ${width}x${height}x${channels ?? header?.channels ?? DEFAULT_CHANNELS}${bytesPerSample === 2 ? ' 16-bit' : ''}`);
  }
  if (bytesPerSample === 2) pixels = to8Bit(pixels);
  return { pixels: convertChannels(pixels, own, channels ?? own), width, height, channels: channels ?? own };
}

/** 16-bit samples (native byte order, as the decoder gives them) to their high 8 bits. */
function to8Bit(pixels: Buffer): Buffer {
  const wide = new Uint16Array(pixels.buffer, pixels.byteOffset, pixels.length / 2);
  const out = Buffer.allocUnsafe(wide.length);
  for (let i = 0; i < wide.length; i++) out[i] = wide[i] >> 8;
  return out;
}

/**
 * Channel conversion as TensorFlow's decode_image(channels=N) does it: grey repeated to RGB,
 * alpha dropped (or added opaque), RGB to grey by ITU-R 601 luma.
 */
export function convertChannels(pixels: Buffer, from: number, to: number): Buffer {
  if (from === to) return pixels;
  const n = pixels.length / from;
  const out = Buffer.allocUnsafe(n * to);
  for (let i = 0, s = 0, d = 0; i < n; i++, s += from, d += to) {
    const grey = from <= 2;
    const r = pixels[s];
    const g = grey ? r : pixels[s + 1];
    const b = grey ? r : pixels[s + 2];
    const a = from === 2 ? pixels[s + 1] : from === 4 ? pixels[s + 3] : 255;
    if (to === 1) out[d] = grey ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else if (to === 2) {
      out[d] = grey ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      out[d + 1] = a;
    } else {
      out[d] = r;
      out[d + 1] = g;
      out[d + 2] = b;
      if (to === 4) out[d + 3] = a;
    }
  }
  return out;
}

/**
 * Plain JPEGs (most photo datasets) are decoded and fitted on this thread, as convert does. Anything
 * else (other formats, EXIF rotation, ICC profiles, CMYK) takes sharp's full path, which handles it all.
 */
export async function decodeAndFit(
  file: Buffer,
  width: number | undefined,
  height: number | undefined,
  channels = DEFAULT_CHANNELS,
  clock?: StageClock,
): Promise<DecodedImage> {
  const began = performance.now();
  // The fast path: plain JPEGs fitted to a size as RGB. Without a size (TFRecords of mixed sizes and
  // no --size) images keep their own, as the records do; other channel counts take sharp's path.
  if (width && height && channels === 3) {
    const target = { width, height, fit: 'cover' as const };
    const decoded = decodePlainInto(file, target);
    if (decoded) {
      const fitting = performance.now();
      clock?.mark('decode', began, fitting);
      // The fitted pixels live in the resampler's reused memory: copied, as a cache may keep them.
      const pixels = Buffer.from(fitDecoded(decoded, target));
      clock?.mark('fit', fitting, performance.now());
      return { pixels, width, height, channels: 3 };
    }
  }
  const sharp = await loadSharp();
  let pipeline = sharp(file, { failOn: 'warning' }).autoOrient();
  if (width && height) pipeline = pipeline.resize(width, height, { fit: 'cover' });
  pipeline =
    channels === 1
      ? pipeline.toColourspace('b-w').removeAlpha()
      : channels === 2
        ? pipeline.toColourspace('b-w').ensureAlpha()
        : channels === 4
          ? pipeline.toColourspace('srgb').ensureAlpha()
          : pipeline.toColourspace('srgb').removeAlpha();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  // sharp's full path decodes and fits in one call: its time is counted as decoding.
  clock?.mark('decode', began, performance.now());
  return { pixels: data, width: info.width, height: info.height, channels: info.channels };
}
