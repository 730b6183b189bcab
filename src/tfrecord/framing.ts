/**
 * TFRecord framing, pure functions. A record on disk is:
 *   uint64 length (LE) | uint32 masked CRC32C of the length bytes | data | uint32 masked CRC32C of data
 */
import { crc32cOf8, maskCrc, maskedCrc32c } from './crc32c.js';

export const HEADER_BYTES = 12;
export const FOOTER_BYTES = 4;
export const FRAME_OVERHEAD = HEADER_BYTES + FOOTER_BYTES;

/** The 12-byte header and the 4-byte footer of one record. */
export function frameParts(data: Uint8Array): { header: Buffer; footer: Buffer } {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.allocUnsafe(FOOTER_BYTES);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return { header, footer };
}

/** Writes `data` framed into `out` at `at` (which has room for it); returns the end. */
export function writeFrame(out: Buffer, at: number, data: Uint8Array): number {
  const length = data.length;
  putUint32(out, at, length % 0x100000000);
  putUint32(out, at + 4, Math.floor(length / 0x100000000));
  putUint32(out, at + 8, maskCrc(crc32cOf8(out, at)));
  out.set(data, at + HEADER_BYTES);
  putUint32(out, at + HEADER_BYTES + length, maskedCrc32c(data));
  return at + FRAME_OVERHEAD + length;
}

/**
 * A uint32, little-endian, by bytes: Buffer's writeUInt32LE checks its arguments in JavaScript,
 * which cost more than the write at four calls a record and gave the optimiser more to compile.
 */
function putUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = value;
  out[at + 1] = value >>> 8;
  out[at + 2] = value >>> 16;
  out[at + 3] = value >>> 24;
}

/** One framed record in a single buffer. */
export function frameRecord(data: Uint8Array): Buffer {
  const { header, footer } = frameParts(data);
  return Buffer.concat([header, data, footer], FRAME_OVERHEAD + data.length);
}

/**
 * The record length a header declares, or -1 when the header's CRC does not match.
 * Lengths past 2^53 cannot be real; they are returned as Infinity so callers reject them as too large.
 */
export function readHeaderLength(buf: Buffer, pos: number): number {
  if (maskCrc(crc32cOf8(buf, pos)) !== buf.readUInt32LE(pos + 8)) return -1;
  const high = buf.readUInt32LE(pos + 4);
  return high >= 0x200000 ? Infinity : high * 0x100000000 + buf.readUInt32LE(pos);
}
