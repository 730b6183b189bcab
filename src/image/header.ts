/**
 * What an encoded image's header says, pure and cheap (a few bytes read, nothing decoded): format,
 * size, channels and bits per sample. @napi-rs/image's own metadata call costs about as much as a
 * decode, so the speed test asks this instead when a record carries no width / height features.
 */
import { probeJpeg } from './jpeg-probe.js';

export type ImageFormatName = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff';

export interface ImageHeader {
  format: ImageFormatName;
  /** 0 when the format is recognised but its size is not read here (GIF frames, BMP, TIFF). */
  width: number;
  height: number;
  /** Channels a decoder delivers: 1 grey, 2 grey + alpha, 3 RGB (palettes expand to it), 4 RGBA. */
  channels: number;
  bitsPerSample: 8 | 16;
}

/** The format from the magic bytes, or undefined when these bytes are not an image we know. */
export function sniffImage(data: Uint8Array): ImageFormatName | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => data[i + k] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (at(0, 0x42, 0x4d) && data.length > 26) return 'bmp';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  return undefined;
}

export function readImageHeader(data: Uint8Array): ImageHeader | undefined {
  const format = sniffImage(data);
  if (format === 'jpeg') {
    const info = probeJpeg(data);
    return info ? { format, width: info.width, height: info.height, channels: info.components === 1 ? 1 : 3, bitsPerSample: 8 } : undefined;
  }
  if (format === 'png') return pngHeader(data);
  if (format === 'webp') return webpHeader(data);
  if (format === 'gif') return { format, width: u16le(data, 6), height: u16le(data, 8), channels: 4, bitsPerSample: 8 };
  if (format) return { format, width: 0, height: 0, channels: 3, bitsPerSample: 8 };
  return undefined;
}

const u16le = (d: Uint8Array, i: number) => d[i] | (d[i + 1] << 8);
const u24le = (d: Uint8Array, i: number) => d[i] | (d[i + 1] << 8) | (d[i + 2] << 16);
const u32be = (d: Uint8Array, i: number) => ((d[i] << 24) >>> 0) + ((d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]);

/** IHDR: width, height, bit depth, colour type; a palette with a tRNS chunk decodes to RGBA. */
function pngHeader(d: Uint8Array): ImageHeader | undefined {
  if (d.length < 33) return undefined;
  const width = u32be(d, 16);
  const height = u32be(d, 20);
  const depth = d[24];
  const colourType = d[25];
  const byType: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
  let channels = byType[colourType];
  if (channels === undefined) return undefined;
  if ((colourType === 3 || colourType === 0 || colourType === 2) && hasPngChunk(d, 'tRNS')) channels = colourType === 0 ? 2 : 4;
  return { format: 'png', width, height, channels, bitsPerSample: depth === 16 ? 16 : 8 };
}

/** Walks the chunks before the first IDAT (where tRNS must be). */
function hasPngChunk(d: Uint8Array, name: string): boolean {
  let pos = 8;
  while (pos + 8 <= d.length) {
    const length = u32be(d, pos);
    const type = String.fromCharCode(d[pos + 4], d[pos + 5], d[pos + 6], d[pos + 7]);
    if (type === name) return true;
    if (type === 'IDAT') return false;
    pos += 12 + length;
  }
  return false;
}

/** RIFF/WEBP: the first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended, with flags). */
function webpHeader(d: Uint8Array): ImageHeader | undefined {
  if (d.length < 30) return undefined;
  const chunk = String.fromCharCode(d[12], d[13], d[14], d[15]);
  if (chunk === 'VP8 ') return { format: 'webp', width: u16le(d, 26) & 0x3fff, height: u16le(d, 28) & 0x3fff, channels: 3, bitsPerSample: 8 };
  if (chunk === 'VP8L') {
    const bits = d[21] | (d[22] << 8) | (d[23] << 16) | (d[24] << 24);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, channels: (bits >>> 28) & 1 ? 4 : 3, bitsPerSample: 8 };
  }
  if (chunk === 'VP8X') return { format: 'webp', width: u24le(d, 24) + 1, height: u24le(d, 27) + 1, channels: d[20] & 0x10 ? 4 : 3, bitsPerSample: 8 };
  return undefined;
}
