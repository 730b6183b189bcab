/**
 * One image in, one stored image out: auto-orient from EXIF, 3-channel sRGB (alpha flattened on
 * white), fit to the target size, re-encode. Plain JPEGs of any size to JPEG take a synchronous
 * path on the calling thread (src/image/fast-jpeg.ts: `convertImageSync`), big JPEGs and PNGs
 * decoded on libuv's pool first (`planBigImage`, `convertBigImage`); everything else one
 * sharp pipeline per image: each sharp call has a fixed cost of a millisecond or more here, so
 * nothing is asked twice (no separate metadata()).
 */
import { decodeOffThread, encodeJpeg, endsWithEoi, fitDecoded, fitOffThread, fitPlainJpeg, planOffThread, type OffThreadPlan } from '../image/fast-jpeg.js';
import { decodeOtherInto, decodePngOffThread, planPngOffThread } from '../image/other-formats.js';
import { inputPixels } from '../image/resample.js';
import { loadSharp } from '../image/sharp-lazy.js';

export type Fit = 'cover' | 'contain' | 'fill';
export type ImageFormat = 'jpeg' | 'png';

export interface ImageOptions {
  width: number;
  height: number;
  fit: Fit;
  format: ImageFormat;
  quality: number;
  maxPixels: number;
}

export interface StoredImage {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
  format: ImageFormat;
}

export { IMAGE_PATH, SCALED_JPEG_NOTICE } from './image-path.js';

/** Why an input was not converted: a reason for skipped.csv. */
export class ImageSkip extends Error {}

const WHITE = { r: 255, g: 255, b: 255 };

/**
 * The image converted on the calling thread, or undefined when it needs sharp (`convertImage`):
 * plain JPEGs (src/image/fast-jpeg.ts), PNGs and WebPs (src/image/other-formats.ts) to JPEG with
 * --fit cover or fill.
 */
export function convertImageSync(input: Buffer, options: ImageOptions): StoredImage | undefined {
  if (options.format !== 'jpeg' || options.fit === 'contain') return undefined;
  const target = { width: options.width, height: options.height, fit: options.fit };
  let fitted = fitPlainJpeg(input, target, options.maxPixels)?.pixels;
  if (!fitted && !(input[0] === 0xff && input[1] === 0xd8)) {
    const decoded = decodeOtherInto(input, options.maxPixels);
    fitted = decoded && fitDecoded({ ...decoded, reduction: 1 }, target);
  }
  return fitted && { data: encodeJpeg(fitted, target.width, target.height, options.quality), width: target.width, height: target.height, channels: 3, format: 'jpeg' };
}

/** A big image's decode, to run on libuv's pool (`planBigImage`, `convertBigImage`). */
export type BigImagePlan = { format: 'jpeg'; jpeg: OffThreadPlan } | { format: 'png'; width: number; height: number };

/**
 * A big plain JPEG or PNG (at least ASYNC_DECODE_MIN_PIXELS, src/options/image-decode.ts) to JPEG
 * with --fit cover or fill: its decode, to run on libuv's pool by `convertBigImage`; undefined for
 * every other input (`convertImageSync`, then sharp).
 */
export function planBigImage(input: Buffer, options: ImageOptions): BigImagePlan | undefined {
  if (options.format !== 'jpeg' || options.fit === 'contain') return undefined;
  const jpeg = planOffThread(input, { width: options.width, height: options.height, fit: options.fit }, options.maxPixels);
  if (jpeg) return { format: 'jpeg', jpeg };
  const png = planPngOffThread(input, options.maxPixels);
  return png && { format: 'png', ...png };
}

/**
 * A `planBigImage` image: decoded on libuv's pool, then fitted and encoded on this thread (the same
 * bytes as `convertImageSync`'s). A JPEG libjpeg refuses goes to sharp's path, which judges it, as
 * there; a PNG our decoder refuses to this thread's other decoders, then sharp, as there.
 * `input` must stay unchanged until this settles (a buffer of its own, not one reused for the next read).
 */
export async function convertBigImage(input: Buffer, plan: BigImagePlan, options: ImageOptions): Promise<StoredImage> {
  if (options.fit === 'contain') return convertWithSharp(input, options);
  const target = { width: options.width, height: options.height, fit: options.fit };
  let fitted: Buffer | undefined;
  if (plan.format === 'jpeg') {
    const decoded = await decodeOffThread(input, plan.jpeg);
    if (!decoded) return convertWithSharp(input, options);
    fitted = fitOffThread(decoded, target);
  } else {
    const pixels = await decodePngOffThread(input, plan);
    if (!pixels) return convertImageSync(input, options) ?? convertWithSharp(input, options);
    inputPixels(plan.width, plan.height).set(pixels);
    fitted = fitDecoded({ width: plan.width, height: plan.height, reduction: 1 }, target);
  }
  return { data: encodeJpeg(fitted, target.width, target.height, options.quality), width: target.width, height: target.height, channels: 3, format: 'jpeg' };
}

export async function convertImage(input: Buffer, options: ImageOptions): Promise<StoredImage> {
  if (input.length === 0) throw new ImageSkip('empty file');
  const plan = planBigImage(input, options);
  if (plan) return convertBigImage(input, plan, options);
  return convertImageSync(input, options) ?? convertWithSharp(input, options);
}

/**
 * An image the worker thread did not convert itself (`convertImageSync` gave undefined, and it was
 * not decoded off the thread): sharp's path, without trying the thread's decoders a second time.
 */
export async function convertRefused(input: Buffer, options: ImageOptions): Promise<StoredImage> {
  if (input.length === 0) throw new ImageSkip('empty file');
  return convertWithSharp(input, options);
}

/** One sharp pipeline: every format, EXIF rotation, ICC profiles, contain, PNG output. */
async function convertWithSharp(input: Buffer, options: ImageOptions): Promise<StoredImage> {
  const sharp = await loadSharp();
  const source = sharp(input, { limitInputPixels: options.maxPixels, failOn: 'warning' }).autoOrient().flatten({ background: WHITE }).toColourspace('srgb');
  const pipeline = source.resize(options.width, options.height, { fit: options.fit, background: WHITE, kernel: 'lanczos3' }).removeAlpha();
  const encoded = options.format === 'png' ? pipeline.png() : pipeline.jpeg({ quality: options.quality });
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels, format: options.format };
  } catch (error) {
    const reason = skipReason((error as Error).message, options.maxPixels);
    // libvips' message for a cut file varies ("Premature end...", or only "Warning treated as
    // error"): the file's own end marker says it for sure.
    throw new ImageSkip(looksTruncated(input) && !reason.startsWith('over') ? `truncated image: ${reason.replace(/^(corrupt|truncated) image: /, '')}` : reason);
  }
}

/** A JPEG without its end-of-image marker, or a PNG without its IEND chunk, was cut short. */
export function looksTruncated(input: Buffer): boolean {
  if (input.length >= 2 && input[0] === 0xff && input[1] === 0xd8) return !endsWithEoi(input);
  if (input.length >= 8 && input.readUInt32BE(0) === 0x89504e47) return !input.subarray(Math.max(0, input.length - 12)).includes('IEND');
  return false;
}

/** sharp's messages, turned into reasons a user can act on. */
export function skipReason(message: string, maxPixels: number): string {
  if (/unsupported image format/i.test(message)) return 'not an image (unrecognised content)';
  if (/pixel limit/i.test(message)) return `over --max-pixels (${maxPixels})`;
  if (/premature end|truncated|end of (file|input|data)|unexpected end|not enough data|short read|read error/i.test(message)) return `truncated image: ${firstLine(message)}`;
  return `corrupt image: ${firstLine(message)}`;
}

const firstLine = (s: string) => s.split('\n')[0].trim();
