/**
 * TFRecord writer: takes records as an (async) iterable, writes them framed (and compressed) to a
 * temporary name, flushes to disk, then renames, so a file with its final name is always complete.
 */
import { createWriteStream } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Compression, compressor } from './compression.js';
import { FRAME_OVERHEAD, writeFrame } from './framing.js';
import { formatIndex, type IndexEntry } from './record-index.js';
import { temporaryPath } from '../output/temporary.js';
import { TFRECORD_DEFAULTS } from '../options/tfrecord.js';

const BATCH_BYTES = 1 << 20;

export interface WriteRecordsOptions {
  compression?: Compression;
  /** Also write the record index here (same temporary-then-rename commit). */
  indexPath?: string;
  signal?: AbortSignal;
  /** Called when the files are complete and flushed, just before they get their final names; throwing stops the commit. */
  beforeCommit?: () => Promise<void>;
}

export interface WriteResult {
  path: string;
  records: number;
  /** Bytes of the uncompressed stream. */
  bytes: number;
  /** Bytes on disk. */
  fileBytes: number;
  /** SHA-256 of the file on disk, hex. */
  sha256: string;
}

export async function writeRecords(
  path: string,
  records: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: WriteRecordsOptions = {},
): Promise<WriteResult> {
  const tmp = temporaryPath(path);
  const entries: IndexEntry[] = [];
  let bytes = 0;
  // Frames are gathered into writes of about 1 MiB: one syscall (and one zlib call) per batch.
  // Each frame is written straight into the batch (no header / footer buffers per record).
  async function* frames() {
    let batch = Buffer.allocUnsafe(BATCH_BYTES);
    let batchBytes = 0;
    for await (const data of records) {
      const frame = FRAME_OVERHEAD + data.length;
      entries.push({ offset: bytes, length: frame });
      bytes += frame;
      if (batchBytes + frame > batch.length && batchBytes > 0) {
        yield batch.subarray(0, batchBytes);
        batch = Buffer.allocUnsafe(Math.max(BATCH_BYTES, frame));
        batchBytes = 0;
      }
      if (frame > batch.length) batch = Buffer.allocUnsafe(frame);
      batchBytes = writeFrame(batch, batchBytes, data);
    }
    if (batchBytes > 0) yield batch.subarray(0, batchBytes);
  }
  const compress = compressor(options.compression ?? TFRECORD_DEFAULTS.compression);
  const source = Readable.from(frames(), { objectMode: false });
  const hash = createHash('sha256');
  // Hashes the bytes as they go to disk, so the manifest's checksum costs no second read.
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    if (compress) await pipeline(source, compress, hashing, createWriteStream(tmp), { signal: options.signal });
    else await pipeline(source, hashing, createWriteStream(tmp), { signal: options.signal });
    const fileBytes = await flushToDisk(tmp);
    if (options.indexPath) {
      await writeFile(temporaryPath(options.indexPath), formatIndex(entries));
      await flushToDisk(temporaryPath(options.indexPath));
    }
    await options.beforeCommit?.();
    if (options.indexPath) await rename(temporaryPath(options.indexPath), options.indexPath);
    await rename(tmp, path);
    return { path, records: entries.length, bytes, fileBytes, sha256: hash.digest('hex') };
  } catch (error) {
    await rm(tmp, { force: true });
    if (options.indexPath) await rm(temporaryPath(options.indexPath), { force: true });
    throw error;
  }
}

/** fsync, so that a rename after it never publishes a file whose data is still only in memory. */
export async function flushToDisk(path: string): Promise<number> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}
