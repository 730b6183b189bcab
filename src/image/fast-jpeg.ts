/**
 * The fast decode of plain JPEGs (most photo datasets): @napi-rs/image decodes synchronously on the
 * calling thread, where a sharp decode pays libvips' thread hand-offs (about 2.4x the time of the
 * decode itself for a 500x375 photo here). Only what `probeJpeg` calls plain comes here, cut files
 * never do; anything else, or any doubt, goes to sharp's full path, which handles and judges all.
 */
import { Transformer } from '@napi-rs/image';
import { probeJpeg } from './jpeg-probe.js';

export interface RawImage {
  pixels: Buffer;
  width: number;
  height: number;
}

/**
 * RGB pixels of a plain JPEG, or undefined for sharp's full path: also when the image is at least
 * twice the `target` size both ways, where sharp's shrink-on-load (decoding at 1/2, 1/4 or 1/8
 * scale) beats any full decode, and past `maxPixels`.
 */
export function decodePlainJpeg(file: Buffer, target: { width: number; height: number }, maxPixels = Infinity): RawImage | undefined {
  const info = probeJpeg(file);
  if (!info?.plain || info.width * info.height > maxPixels || !endsWithEoi(file)) return undefined;
  if (info.width >= 2 * target.width && info.height >= 2 * target.height) return undefined;
  try {
    const pixels = new Transformer(file).rawPixelsSync();
    return pixels.length === info.width * info.height * 3 ? { pixels, width: info.width, height: info.height } : undefined;
  } catch {
    return undefined;
  }
}

/** The end-of-image marker, padding some writers add after it allowed. */
export function endsWithEoi(file: Uint8Array): boolean {
  let end = file.length;
  while (end > 2 && (file[end - 1] === 0x00 || file[end - 1] === 0x0a || file[end - 1] === 0x0d)) end--;
  return file[end - 2] === 0xff && file[end - 1] === 0xd9;
}
