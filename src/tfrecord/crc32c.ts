/**
 * CRC32C (Castagnoli), as TFRecord framing uses it. The native `@node-rs/crc32` (SSE4.2 / ARMv8
 * instructions, about 6x a table in JavaScript) is used when it loads; otherwise a slicing-by-8
 * table implementation in TypeScript gives the same values.
 */
import { createRequire } from 'node:module';

type Crc32c = (data: Uint8Array, initial?: number) => number;

const TABLES = buildTables();
// The tables as constants: unpacked per call (`const [t0, ...] = TABLES`), the array iterator made
// the 8-byte header CRC, called once per record, slower and costlier to optimise.
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES;

function buildTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t][n] = (tables[t - 1][n] >>> 8) ^ tables[0][tables[t - 1][n] & 0xff];
  }
  return tables;
}

/** Pure TypeScript CRC32C, slicing-by-8. `initial` continues a previous CRC (as the native one does). */
export function crc32cPortable(data: Uint8Array, initial = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = ~initial >>> 0;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const a = (crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    crc =
      t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
  }
  for (; i < data.length; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * CRC32C of the 8 bytes at `pos` of `data` (a record header's length), in JavaScript: for 8 bytes a
 * call into the native library and the view it needs cost several times the table look-ups.
 */
export function crc32cOf8(data: Uint8Array, pos: number): number {
  const a = (~0 ^ (data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16) | (data[pos + 3] << 24))) >>> 0;
  const crc =
    T7[a & 0xff] ^ T6[(a >>> 8) & 0xff] ^ T5[(a >>> 16) & 0xff] ^ T4[a >>> 24] ^ T3[data[pos + 4]] ^ T2[data[pos + 5]] ^ T1[data[pos + 6]] ^ T0[data[pos + 7]];
  return ~crc >>> 0;
}

function loadNative(): Crc32c | undefined {
  if (process.env.PIPELINE_PORTABLE_CRC === '1') return undefined;
  try {
    const native = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: (d: Buffer, i?: number) => number };
    if (native.crc32c(Buffer.from('123456789')) !== 0xe3069283) return undefined;
    return (data, initial = 0) =>
      native.crc32c(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), initial);
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation is in use, for run metadata and benchmarks. */
export const crc32cImplementation: 'native' | 'portable' = native ? 'native' : 'portable';

export const crc32c: Crc32c = native ?? crc32cPortable;

/** TFRecord's masked CRC: rotate right by 15 bits and add a constant. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}
