/**
 * The path for plain JPEGs (most photo datasets), all on the calling thread: decode, fit
 * (src/image/resample.ts), encode. No call goes to libuv's thread pool (but the decode of big
 * sources, below): a sharp call paid about 1.5 ms of thread hand-offs on top of the work, and left
 * this thread idle while it ran. Only what
 * `probeJpeg` calls plain comes here, cut files never do; anything else, or any doubt, goes to
 * sharp's full path, which handles and judges all.
 *
 * Two decoders:
 * - a source that libjpeg could shrink by its DCT (1/2, 1/4, 1/8: src/image/dct-scale.ts) is
 *   decoded scaled, by our own addon over libjpeg-turbo (src/image/scaled-jpeg.ts,
 *   native/scaled-jpeg.c), as OpenCV's IMREAD_REDUCED_COLOR_* does, at every size. Without the
 *   addon (not built, not loadable) such sources over MAX_SHRINK_FULL_PIXELS go to sharp's
 *   shrink-on-load, as before it existed (a full-size decode here would cost more than that), and
 *   smaller ones are decoded at full size as below.
 *   Sources of at least ASYNC_DECODE_MIN_PIXELS (src/options/image-decode.ts) may instead be
 *   decoded on libuv's pool (`planOffThread`, `decodeOffThread`, `fitOffThread`: the same bytes),
 *   so that a worker thread keeps a few in flight while it fits and encodes the ones before: with
 *   one partition of big photos, every core works. That decode is the only call into a thread
 *   pool here, and only for sources where it takes milliseconds; smaller ones never leave.
 * - sources libjpeg cannot shrink for the target (~500x375 photos to 192, say) are decoded at full size by
 *   @julusian/jpeg-turbo (SIMD), which costs less than the hop to sharp. That binding always uses
 *   libjpeg-turbo's fast integer IDCT, whose error costs about 0.3 dB PSNR after q90 re-encoding
 *   at quality 90 and 1 dB at 95: files past quality 90 are decoded exactly by @napi-rs/image
 *   instead (about twice as slow), still on this thread, loaded by the first such file
 *   (src/image/napi-image-lazy.ts).
 */
import turbo from '@julusian/jpeg-turbo';
import { dctReduction, scaledSide, type Reduction } from './dct-scale.js';
import { probeJpeg } from './jpeg-probe.js';
import { coverBox, inputPixels, readColumns, resizeRgb, type Box } from './resample.js';
import { decodeScaledAsync, decodeScaledInto, scaledJpegAsync, scaledJpegStatus } from './scaled-jpeg.js';
import { ASYNC_DECODE_MIN_PIXELS } from '../options/image-decode.js';
import { napiTransformer } from './napi-image-lazy.js';

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

/**
 * Past this many decoded pixels (at full size, or scaled) the image is left to sharp (it streams;
 * this path holds the image).
 */
const MAX_FULL_PIXELS = 16_000_000;
/**
 * A source libjpeg could shrink by its DCT is decoded at full size here only up to this many pixels
 * (about 1.5 MP: a full decode of that costs about what a scaled one and the addon's set-up do);
 * past it, scaled by the addon, or without the addon by sharp's shrink-on-load.
 */
const MAX_SHRINK_FULL_PIXELS = 1_500_000;

/** A JPEG decoded into the resampler's memory, for `fitDecoded`. */
export interface DecodedPlain {
  /** The decoded (scaled) image's size. */
  width: number;
  height: number;
  /** The DCT scaling used: the decoded image is 1/`reduction` of the source's size (rounded up). */
  reduction: Reduction;
  /** The source's size, when `reduction` > 1: the fit's box is taken from it. */
  sourceWidth?: number;
  sourceHeight?: number;
  /** When only columns [left, left + rowWidth) were decoded (rows rowWidth pixels wide): a cover fit's crop. */
  left?: number;
  rowWidth?: number;
}

/** The part of a `width` x `height` image a fit reads. */
const fitBox = (width: number, height: number, target: FitTarget): Box => (target.fit === 'cover' ? coverBox(width, height, target.width, target.height) : [0, 0, width, height]);

/**
 * The fit's box in a decoded image: the source's box divided by the reduction. libjpeg's scaled
 * pixel k covers source pixels [k * r, (k + 1) * r); the last one, of a side not a multiple of r,
 * only in part (so the box stops short of it), which a box taken from the rounded-up size would
 * stretch over by up to 7 source pixels.
 */
function decodedBox(decoded: DecodedPlain, target: FitTarget): Box {
  if (decoded.reduction === 1 || !decoded.sourceWidth || !decoded.sourceHeight) return fitBox(decoded.width, decoded.height, target);
  const r = decoded.reduction;
  const [left, top, right, bottom] = fitBox(decoded.sourceWidth, decoded.sourceHeight, target);
  return [left / r, top / r, right / r, bottom / r];
}

/**
 * The scaled decode uses libjpeg-turbo's accurate IDCT (JDCT_ISLOW), chosen by measurement (60
 * photos of 2-5 MP, q90-ish sources, our q90 output against Pillow's uncompressed LANCZOS fit):
 * at 1/4 and 1/8 the choice changes no byte (libjpeg's reduced IDCTs have one method only); at 1/2,
 * where the chroma still goes through an 8x8 IDCT, the fast one (JDCT_IFAST) cost 0.42 dB PSNR
 * against Pillow's output (0.02 with ISLOW) for 4% less CPU.
 */
const SCALED_FAST_IDCT = false;

/** What the probe of a plain JPEG says: its size and the DCT reduction its fit allows. */
interface PlainJpeg {
  width: number;
  height: number;
  quality: number | undefined;
  reduction: Reduction;
}

/** A plain, complete JPEG within `maxPixels` (see the top of this file), or undefined for sharp's path. */
function probePlain(file: Buffer, target: FitTarget, maxPixels: number): PlainJpeg | undefined {
  const info = probeJpeg(file);
  if (!info?.plain || !endsWithEoi(file)) return undefined;
  const { width, height } = info;
  if (width * height > maxPixels) return undefined;
  return { width, height, quality: info.quality, reduction: dctReduction(width, height, fitBox(width, height, target), target.width, target.height) };
}

/**
 * Decodes a plain JPEG into the resampler's memory (valid until the next call
 * on this thread), or returns undefined for sharp's path (see the top of this file).
 */
export function decodePlainInto(file: Buffer, target: FitTarget, maxPixels = Infinity): DecodedPlain | undefined {
  const plain = probePlain(file, target, maxPixels);
  if (!plain) return undefined;
  const { width, height, reduction, quality } = plain;
  const pixels = width * height;
  // Any shrinkable source is decoded scaled when the addon is here: even a 96x72 crop to 32 px costs
  // about 0.08 ms decoded at 1/2 against 0.12 at full size (and the fit then reads a quarter of the pixels).
  if (reduction > 1 && (scaledJpegStatus.loaded || pixels > MAX_SHRINK_FULL_PIXELS)) return decodeScaled(file, width, height, reduction, target);
  if (pixels > (reduction > 1 ? MAX_SHRINK_FULL_PIXELS : MAX_FULL_PIXELS)) return undefined;
  try {
    const into = inputPixels(width, height);
    if (quality !== undefined && quality <= FAST_IDCT_MAX_QUALITY) {
      const decoded = turbo.decompressSync(file, into, { format: turbo.FORMAT_RGB });
      return decoded.width === width && decoded.height === height ? { width, height, reduction: 1 } : undefined;
    }
    // Finer quantisation: an exact decode (about twice the time of the binding's fast IDCT).
    const decoded = new (napiTransformer())(file).rawPixelsSync();
    if (decoded.length !== width * height * 3) return undefined;
    into.set(decoded);
    return { width, height, reduction: 1 };
  } catch {
    return undefined;
  }
}

/** A big JPEG's scaled decode to run off this thread (`planOffThread`, `decodeOffThread`). */
export interface OffThreadPlan {
  /** The image as it will be decoded (its crop included): `fitDecoded`'s description once done. */
  decoded: DecodedPlain;
  /** The columns the fit reads, when fewer than all: libjpeg may skip the others. */
  crop?: readonly [number, number];
}

/**
 * For a plain JPEG of at least ASYNC_DECODE_MIN_PIXELS pixels that our addon decodes scaled, the
 * decode to run on libuv's pool (`decodeOffThread`); undefined for every other file (small ones
 * included: they stay on this thread, `decodePlainInto`). Sets up the fit's geometry on this thread.
 */
export function planOffThread(file: Buffer, target: FitTarget, maxPixels = Infinity): OffThreadPlan | undefined {
  if (!scaledJpegAsync) return undefined;
  const plain = probePlain(file, target, maxPixels);
  if (!plain || plain.reduction === 1 || plain.width * plain.height < ASYNC_DECODE_MIN_PIXELS) return undefined;
  return scaledPlan(plain.width, plain.height, plain.reduction, target);
}

/**
 * Runs a `planOffThread` decode on libuv's pool: the decoded rows, in a buffer of their own, for
 * `fitOffThread`; undefined when libjpeg reports any error or warning (sharp's path then judges
 * the file, as for `decodePlainInto`). `file` must stay unchanged until it settles.
 */
export async function decodeOffThread(file: Buffer, plan: OffThreadPlan): Promise<{ decoded: DecodedPlain; pixels: Buffer } | undefined> {
  const { width, height, reduction } = plan.decoded;
  const into = takeSpare(width * height * 3);
  try {
    const rows = await decodeScaledAsync(file, reduction, width, height, SCALED_FAST_IDCT, plan.crop, into);
    return rows && { decoded: { ...plan.decoded, left: rows.left, rowWidth: rows.rowWidth }, pixels: rows.pixels };
  } catch {
    if (into) giveSpare(into);
    return undefined;
  }
}

/**
 * Buffers of finished off-thread decodes, reused by the next ones: a fresh buffer costs its page
 * faults (a new mapping past glibc's threshold), about 0.1 ms for a 2-5 MP photo's at 1/4. A few,
 * each up to SPARE_MAX_BYTES (a 12-20 MP photo at 1/8 is about 1 MB): what a thread keeps is small.
 */
const spares: Buffer[] = [];
const SPARES = 4;
const SPARE_MAX_BYTES = 4 << 20;

function takeSpare(bytes: number): Buffer | undefined {
  const i = spares.findIndex((b) => b.length >= bytes);
  return i < 0 ? undefined : spares.splice(i, 1)[0];
}

function giveSpare(buffer: Buffer): void {
  if (buffer.length <= SPARE_MAX_BYTES && spares.length < SPARES) spares.push(buffer);
}

/**
 * A `decodeOffThread` result fitted to `target`: its rows copied into the resampler's memory (a
 * few hundred microseconds for the biggest) and resized there. A view, as `fitDecoded`'s. The
 * result's buffer is reused by a later decode: fit each result once.
 */
export function fitOffThread(result: { decoded: DecodedPlain; pixels: Buffer }, target: FitTarget): Buffer {
  const { decoded, pixels } = result;
  // inputPixels after the layout (it may grow the module's memory): resizeRgb's first step.
  readColumns(decoded.width, decoded.height, decodedBox(decoded, target), target.width, target.height);
  inputPixels(decoded.width, decoded.height).set(pixels.subarray(0, (decoded.rowWidth ?? decoded.width) * decoded.height * 3));
  giveSpare(pixels);
  return fitDecoded(decoded, target);
}

/** The scaled size of a `sourceWidth` x `sourceHeight` JPEG at 1/`reduction`, and the columns its fit reads. */
function scaledPlan(sourceWidth: number, sourceHeight: number, reduction: Reduction, target: FitTarget): OffThreadPlan | undefined {
  const width = scaledSide(sourceWidth, reduction);
  const height = scaledSide(sourceHeight, reduction);
  if (width * height > MAX_FULL_PIXELS) return undefined;
  const decoded: DecodedPlain = { width, height, reduction, sourceWidth, sourceHeight };
  // Only the columns the fit reads (a cover fit of a landscape photo reads its centre): libjpeg
  // skips the IDCT and colour conversion of the rest, about 4% of the decode. Rows: skipping them
  // saved nothing measurable (libjpeg still reads their data) and is not asked.
  const columns = readColumns(width, height, decodedBox(decoded, target), target.width, target.height);
  return columns[0] > 0 || columns[1] < width ? { decoded, crop: columns } : { decoded };
}

/**
 * A big JPEG decoded at 1/`reduction` by our addon into the resampler's memory; undefined without
 * the addon, or when libjpeg reports any error or warning (a corrupt or cut file): sharp's path
 * then judges the file and says why, as for every file this path refuses.
 */
function decodeScaled(file: Buffer, sourceWidth: number, sourceHeight: number, reduction: Reduction, target: FitTarget): DecodedPlain | undefined {
  const plan = scaledPlan(sourceWidth, sourceHeight, reduction, target);
  if (!plan) return undefined;
  const { width, height } = plan.decoded;
  try {
    const rows = decodeScaledInto(file, inputPixels(width, height), reduction, width, height, SCALED_FAST_IDCT, plan.crop);
    return rows && { ...plan.decoded, ...rows };
  } catch {
    return undefined;
  }
}

/**
 * The image of the last `decodePlainInto` fitted to `target` (Pillow's geometry and LANCZOS kernel).
 * The pixels are a view of the resampler's memory, valid until the next call on this thread:
 * encode or copy them at once.
 */
export function fitDecoded(decoded: DecodedPlain, target: FitTarget): Buffer {
  return resizeRgb(decoded.width, decoded.height, decodedBox(decoded, target), target.width, target.height, decoded.left, decoded.rowWidth);
}

/** Both steps: a plain JPEG fitted to `target` (a view, as `fitDecoded`), or undefined for sharp's path. */
export function fitPlainJpeg(file: Buffer, target: FitTarget, maxPixels = Infinity): RawImage | undefined {
  const decoded = decodePlainInto(file, target, maxPixels);
  return decoded && { pixels: fitDecoded(decoded, target), width: target.width, height: target.height };
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
    return decoded.width === info.width && decoded.height === info.height
      ? { pixels: Buffer.from(decodeBuffer.subarray(0, bytes)), width: info.width, height: info.height }
      : undefined;
  } catch {
    return undefined;
  }
}

let decodeBuffer = Buffer.alloc(0);

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
