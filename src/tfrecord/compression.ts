/**
 * TensorFlow's TFRecord file compression: GZIP (RFC 1952) or ZLIB (RFC 1950) around the whole
 * stream of framed records. Detection: the file suffix first, then the magic bytes.
 */
import { open } from 'node:fs/promises';
import { createGunzip, createInflate, createGzip, createDeflate, type Gzip, type Deflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { readHeaderLength, HEADER_BYTES } from './framing.js';

export type Compression = 'none' | 'gzip' | 'zlib';

export const COMPRESSION_SUFFIX: Record<Compression, string> = { none: '', gzip: '.gz', zlib: '.zlib' };

export function compressionFromName(path: string): Compression | undefined {
  if (/\.(gz|gzip)$/i.test(path)) return 'gzip';
  if (/\.(zlib|zz)$/i.test(path)) return 'zlib';
  return undefined;
}

/** Pure: guess from the first bytes. A valid plain header wins over a zlib-looking first byte. */
export function compressionFromBytes(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= HEADER_BYTES && readHeaderLength(head, 0) >= 0) return 'none';
  if (head.length >= 2 && (head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0) return 'zlib';
  return 'none';
}

export async function detectCompression(path: string): Promise<Compression> {
  const byName = compressionFromName(path);
  if (byName) return byName;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEADER_BYTES, 0);
    return compressionFromBytes(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function decompressor(compression: Compression): Transform | undefined {
  if (compression === 'gzip') return createGunzip({ chunkSize: 1 << 20 });
  if (compression === 'zlib') return createInflate({ chunkSize: 1 << 20 });
  return undefined;
}

export function compressor(compression: Compression): Gzip | Deflate | undefined {
  if (compression === 'gzip') return createGzip();
  if (compression === 'zlib') return createDeflate();
  return undefined;
}
