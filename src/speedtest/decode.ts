/**
 * The decode paths of the speed test, chosen by measurement (see the README's performance notes):
 *
 * - Encoded images from TFRecords (already at their stored size): @napi-rs/image's synchronous
 *   decode, about 1,800-2,000 images/s per thread for 192x192 JPEGs here, against about 450 for a
 *   sharp call (whose per-call hand-offs between threads cost more than the decode itself) and
 *   about 1,400 for Pillow.
 * - Image files, fitted to the stored size: plain JPEGs decoded, fitted and encoded on the calling
 *   thread (src/image/fast-jpeg.ts, the same path as convert's); other files by sharp's full path.
 */
import { Transformer } from '@napi-rs/image';
import sharp from 'sharp';
import { decodePlainInto, fitDecoded } from '../image/fast-jpeg.js';
import type { StageClock } from './stages.js';

export interface DecodedImage {
  pixels: Buffer;
  width: number;
  height: number;
}

/** Decodes to RGB; `width` and `height` are the record's own features, checked against the pixels. */
export function decodeStored(encoded: Uint8Array, width: number, height: number): DecodedImage {
  const input = Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const pixels = new Transformer(input).rawPixelsSync();
  if (pixels.length !== width * height * 3) throw new Error(`decoded ${pixels.length} bytes, expected ${width}x${height}x3`);
  return { pixels, width, height };
}

/**
 * Plain JPEGs (most photo datasets) are decoded and fitted on this thread, as convert does. Anything
 * else (other formats, EXIF rotation, ICC profiles, CMYK) takes sharp's full path, which handles it all.
 */
export async function decodeAndFit(file: Buffer, width: number, height: number, clock?: StageClock): Promise<DecodedImage> {
  const began = performance.now();
  const target = { width, height, fit: 'cover' as const };
  const decoded = decodePlainInto(file, target);
  if (decoded) {
    const fitting = performance.now();
    clock?.mark('decode', began, fitting);
    // The fitted pixels live in the resampler's reused memory: copied, as a cache may keep them.
    const pixels = Buffer.from(fitDecoded(decoded, target));
    clock?.mark('fit', fitting, performance.now());
    return { pixels, width, height };
  }
  const result = await sharp(file, { failOn: 'warning' })
    .autoOrient()
    .resize(width, height, { fit: 'cover' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // sharp's full path decodes and fits in one call: its time is counted as decoding.
  clock?.mark('decode', began, performance.now());
  const { data, info } = result;
  return { pixels: data, width: info.width, height: info.height };
}

