/**
 * The ceiling of `inspect --verify`, run as its own process by bench/inspect-verify.ts: read a
 * TFRecord file in 4 MiB chunks and check each record's length and data CRC (native CRC32C), with
 * nothing else. Prints {"records", "bytes"}.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32c, maskCrc } from '../src/tfrecord/crc32c.js';

const fd = openSync(process.argv[2], 'r');
const size = fstatSync(fd).size;
let buffer = Buffer.allocUnsafe(4 << 20);
let have = 0;
let position = 0;
let records = 0;
while (position < size || have >= 12) {
  if (position < size) {
    const n = readSync(fd, buffer, have, buffer.length - have, position);
    position += n;
    have += n;
  }
  let at = 0;
  while (have - at >= 12) {
    const length = buffer.readUInt32LE(at);
    if (have - at < 16 + length) break;
    if (maskCrc(crc32c(buffer.subarray(at, at + 8))) !== buffer.readUInt32LE(at + 8)) throw new Error(`length CRC at ${position - have + at}`);
    if (maskCrc(crc32c(buffer.subarray(at + 12, at + 12 + length))) !== buffer.readUInt32LE(at + 12 + length)) throw new Error(`data CRC at ${position - have + at}`);
    at += 16 + length;
    records++;
  }
  buffer.copy(buffer, 0, at, have);
  have -= at;
  if (have + 16 > buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
  if (position >= size && at === 0) break;
}
closeSync(fd);
console.log(JSON.stringify({ records, bytes: size }));
