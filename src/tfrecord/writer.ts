/**
 * TFRecord writer: takes records as an (async) iterable, writes them framed (and compressed) to a
 * temporary name, flushes to disk, then renames, so a file with its final name is always complete.
 */
import { createWriteStream } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
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
  const indexTmp = options.indexPath && temporaryPath(options.indexPath);
  const entries: IndexEntry[] = [];
  let bytes = 0;
  const compress = compressor(options.compression ?? TFRECORD_DEFAULTS.compression);
  // Frames are gathered into writes of about 1 MiB: one syscall (and one zlib call) per batch.
  // Each frame is written straight into the batch (no header / footer buffers per record).
  // `reuse`: the consumer is done with a batch when it asks for the next one (the plain path
  // awaits each write), so one buffer serves the whole file; a stream may still hold it.
  async function* frames(reuse: boolean) {
    let batch = Buffer.allocUnsafe(BATCH_BYTES);
    let batchBytes = 0;
    for await (const data of records) {
      const frame = FRAME_OVERHEAD + data.length;
      entries.push({ offset: bytes, length: frame });
      bytes += frame;
      if (batchBytes + frame > batch.length && batchBytes > 0) {
        yield batch.subarray(0, batchBytes);
        if (!reuse) batch = Buffer.allocUnsafe(Math.max(BATCH_BYTES, frame));
        batchBytes = 0;
      }
      if (frame > batch.length) batch = Buffer.allocUnsafe(frame);
      batchBytes = writeFrame(batch, batchBytes, data);
    }
    if (batchBytes > 0) yield batch.subarray(0, batchBytes);
  }
  const hash = createHash('sha256');
  try {
    // The index is written and flushed while the shard's own flush runs: two fsyncs at once, not
    // one after the other (each is a wait of milliseconds, and a thread idle in it).
    const flushIndex = async () => {
      if (!indexTmp) return;
      await writeFile(indexTmp, formatIndex(entries));
      await flushToDisk(indexTmp);
    };
    let fileBytes: number;
    if (compress) {
      // Hashes the bytes as they go to disk, so the manifest's checksum costs no second read.
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      await pipeline(Readable.from(frames(false), { objectMode: false }), compress, hashing, createWriteStream(tmp), { signal: options.signal });
      const [flushed, index] = await Promise.allSettled([flushToDisk(tmp), flushIndex()]);
      if (flushed.status === 'rejected') throw flushed.reason;
      if (index.status === 'rejected') throw index.reason;
      fileBytes = flushed.value;
    } else {
      // Uncompressed: batches go to the file by one handle that is then flushed, no stream
      // machinery (three streams set up per shard, each batch passed along by events) and no
      // second open for the flush.
      fileBytes = await writePlain(tmp, frames(true), hash, options.signal, flushIndex);
    }
    await options.beforeCommit?.();
    if (options.indexPath) await rename(indexTmp!, options.indexPath);
    await rename(tmp, path);
    return { path, records: entries.length, bytes, fileBytes, sha256: hash.digest('hex') };
  } catch (error) {
    await rm(tmp, { force: true });
    if (indexTmp) await rm(indexTmp, { force: true });
    throw error;
  }
}

/**
 * Writes `batches` to a new file at `path`, hashing them, then flushes it to disk while `alongside`
 * runs; returns the file's size. Each batch is written whole before the next is asked for.
 */
async function writePlain(
  path: string, batches: AsyncIterable<Buffer>, hash: Hash, signal: AbortSignal | undefined, alongside: () => Promise<void>,
): Promise<number> {
  const handle = await open(path, 'w');
  try {
    let size = 0;
    for await (const batch of batches) {
      signal?.throwIfAborted();
      hash.update(batch);
      for (let at = 0; at < batch.length;) at += (await handle.write(batch, at, batch.length - at)).bytesWritten;
      size += batch.length;
    }
    signal?.throwIfAborted();
    // Both settled before either's error is thrown: the caller removes both files after.
    const [synced, beside] = await Promise.allSettled([handle.sync(), alongside()]);
    if (synced.status === 'rejected') throw synced.reason;
    if (beside.status === 'rejected') throw beside.reason;
    return size;
  } finally {
    await handle.close();
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
