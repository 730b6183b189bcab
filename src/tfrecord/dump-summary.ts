/**
 * `inspect --dump` for a reader: a bytes value longer than a line (an image is ~80k characters of
 * hex) printed as what it is, its length, its first bytes and its sha256 (to compare with
 * `sha256sum` of the original file). `--json` keeps the full hex, the checker's format.
 */
import { createHash } from 'node:crypto';
import { readImageHeader } from '../image/header.js';

/** Values up to this many bytes are printed whole. */
const WHOLE = 64;

/** `<jpeg 320x240, 83211 bytes: ffd8ffe000104a46..., sha256 9f3c...>` for a long hex value; short ones as they are. */
export function summariseHex(hex: string): string {
  if (hex.length <= WHOLE * 2 || !/^[0-9a-f]*$/.test(hex)) return hex;
  const bytes = Buffer.from(hex, 'hex');
  const header = readImageHeader(bytes);
  const kind = header ? `${header.format}${header.width ? ` ${header.width}x${header.height}` : ''}` : 'bytes';
  return `<${kind}, ${bytes.length} bytes: ${hex.slice(0, 16)}..., sha256 ${createHash('sha256').update(bytes).digest('hex')}>`;
}
