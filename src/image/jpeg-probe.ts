/**
 * Reads a JPEG's markers up to its frame header, pure: size, components, whether anything asks
 * for more than a plain decode (an EXIF orientation other than 1, an ICC profile, Adobe CMYK), and
 * the quality its luminance table was made with.
 */

export interface JpegInfo {
  width: number;
  height: number;
  components: number;
  /** Baseline, extended or progressive Huffman JPEG with nothing to correct after decoding. */
  plain: boolean;
  /**
   * The libjpeg quality (1-100) whose scaling of the standard luminance table is nearest to the
   * file's table 0; undefined without one. Tables of other encoders map to a comparable figure.
   */
  quality?: number;
}

/** The standard luminance quantisation table (JPEG Annex K), whose scaling libjpeg's quality sets. */
const STANDARD_LUMA_SUM = 3688;

export function probeJpeg(data: Uint8Array): JpegInfo | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let pos = 2;
  let needsMore = false;
  let quality: number | undefined;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) return undefined;
    const marker = data[pos + 1];
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    const length = (data[pos + 2] << 8) | data[pos + 3];
    if (length < 2 || pos + 2 + length > data.length) return undefined;
    const body = pos + 4;
    if (marker === 0xe1 && isExif(data, body) && exifOrientation(data, body + 6, pos + 2 + length) > 1) needsMore = true;
    if (marker === 0xe2 && ascii(data, body, 11) === 'ICC_PROFILE') needsMore = true;
    if (marker === 0xee && ascii(data, body, 5) === 'Adobe') needsMore = true;
    if (marker === 0xdb) quality ??= lumaQuality(data, body, pos + 2 + length);
    // SOF0 baseline, SOF1 extended, SOF2 progressive (Huffman); others (arithmetic, lossless) are rare.
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      const height = (data[body + 1] << 8) | data[body + 2];
      const width = (data[body + 3] << 8) | data[body + 4];
      const components = data[body + 5];
      return { width, height, components, plain: !needsMore && components === 3 && width > 0 && height > 0, quality };
    }
    if ((marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xda) {
      return undefined;
    }
    pos += 2 + length;
  }
  return undefined;
}

const ascii = (d: Uint8Array, at: number, n: number) => String.fromCharCode(...d.subarray(at, at + n));
const isExif = (d: Uint8Array, at: number) => ascii(d, at, 4) === 'Exif';

/** The orientation tag (0x0112) of IFD0 in a TIFF block at [start, end); 0 when absent or unreadable. */
function exifOrientation(d: Uint8Array, start: number, end: number): number {
  if (start + 8 > end) return 0;
  const little = d[start] === 0x49;
  const u16 = (at: number) => (little ? d[at] | (d[at + 1] << 8) : (d[at] << 8) | d[at + 1]);
  const u32 = (at: number) =>
    little ? (d[at] | (d[at + 1] << 8) | (d[at + 2] << 16)) + d[at + 3] * 2 ** 24 : d[at] * 2 ** 24 + ((d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]);
  const ifd = start + u32(start + 4);
  if (ifd + 2 > end) return 0;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return 0;
    if (u16(entry) === 0x0112) return u16(entry + 8);
  }
  return 0;
}

/** Quality of table 0 in a DQT segment at [start, end): libjpeg scales the standard table by 200 - 2q percent (q >= 50) or 5000 / q. */
function lumaQuality(d: Uint8Array, start: number, end: number): number | undefined {
  let at = start;
  while (at < end) {
    const precision = d[at] >> 4;
    const id = d[at] & 15;
    const size = precision ? 128 : 64;
    if (at + 1 + size > end) return undefined;
    if (id === 0) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum += precision ? (d[at + 1 + 2 * i] << 8) | d[at + 2 + 2 * i] : d[at + 1 + i];
      const scale = (sum * 100) / STANDARD_LUMA_SUM;
      return Math.max(1, Math.min(100, Math.round(scale <= 100 ? (200 - scale) / 2 : 5000 / scale)));
    }
    at += 1 + size;
  }
  return undefined;
}
