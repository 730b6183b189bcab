/**
 * Streaming TFRecord reader: an async iterable of records, constant memory whatever the file size.
 *
 * Records are zero-copy views into the read chunks (4 MiB), so a consumer that keeps a record keeps
 * its chunk alive: copy it (`Buffer.from(record.data)`) to hold many for long.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { PipelineError, type ErrorCode } from '../errors.js';
import { maskedCrc32c } from './crc32c.js';
import { type Compression, decompressor, detectCompression } from './compression.js';
import { FRAME_OVERHEAD, HEADER_BYTES, readHeaderLength } from './framing.js';
import { isStorageUrl } from '../storage/url.js';
import { openObjectBytes } from '../storage/object-records.js';
import type { StorageConfig } from '../storage/object-store.js';

export interface TFRecord {
  /** The record's payload (a view, see above). */
  data: Buffer;
  /** Byte offset of the record's first header byte in the (uncompressed) stream. */
  offset: number;
  /** 0-based record number in the file (counted from `start` when a range is read). */
  index: number;
}

/** A problem found in a file, in the shape of `tfrecord_check.py`'s errors. */
export interface RecordProblem {
  file: string;
  offset: number;
  record: number;
  error: string;
  code: ErrorCode;
}

export interface ReadRecordsOptions {
  /** Check each record's data CRC (the length CRC is always checked: framing depends on it). Default true. */
  verify?: boolean;
  /**
   * Without it, a problem throws a PipelineError. With it, the problem is passed here and reading
   * goes on: past a bad data CRC (the length was verified, so framing holds) or, for broken
   * framing, to the end of this file (framing cannot resynchronise).
   */
  onProblem?: (problem: RecordProblem) => void;
  /** 'auto' (default) detects from suffix and magic bytes. */
  compression?: Compression | 'auto';
  /** Byte range of an uncompressed file to read, e.g. from the record index; default the whole file. */
  start?: number;
  end?: number;
  /** Largest record accepted, to refuse a corrupt length before buffering toward it. Default 1 GiB. */
  maxRecordBytes?: number;
  signal?: AbortSignal;
  /** Filled as reading goes: bytes of the (uncompressed) stream seen so far. */
  stats?: { bytes: number };
  /** Told the file's opening, each chunk read's and each CRC check's interval (performance.now() ms): the speed test's stage times. */
  onTiming?: (what: 'read' | 'verify', start: number, end: number) => void;
  /** For s3:// / gs:// paths: where requests go (`--endpoint`). */
  storage?: StorageConfig;
}

const CHUNK_BYTES = 4 << 20;

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  TFRECORD_TRUNCATED_HEADER: 'truncated header',
  TFRECORD_TRUNCATED_RECORD: 'truncated record',
  TFRECORD_LENGTH_CRC: 'length crc mismatch',
  TFRECORD_DATA_CRC: 'data crc mismatch',
  TFRECORD_TOO_LARGE: 'record length too large',
};

export async function* readRecords(path: string, options: ReadRecordsOptions = {}): AsyncGenerator<TFRecord> {
  const opening = performance.now();
  // An object (s3://, gs://): the same framing over the bytes of one (ranged) GET.
  const object = isStorageUrl(path) ? await openObjectBytes(path, { start: options.start ?? 0, end: options.end }, options.compression, options.storage) : undefined;
  const compression = object ? object.compression : !options.compression || options.compression === 'auto' ? await detectCompression(path) : options.compression;
  const size = object ? object.size : (await stat(path)).size;
  const start = options.start ?? 0;
  const end = options.end ?? size;
  // A plain file's size bounds every length; a compressed stream's is unknown until its end.
  const knownEnd = compression === 'none' ? end : Infinity;
  if (end <= start) {
    await object?.chunks.return(undefined);
    return;
  }
  const handle = object ? undefined : await open(path, 'r');
  options.onTiming?.('read', opening, performance.now());
  const inflate = decompressor(compression);
  const raw = object ? timedChunks(object.chunks, options.onTiming) : fileChunks(handle!, start, end, options.signal, options.onTiming);
  const chunks: AsyncIterable<Buffer> = inflate ? Readable.from(raw, { objectMode: false }).pipe(inflate) : raw;
  try {
    yield* frameRecords(chunks, {
      file: path,
      verify: options.verify ?? true,
      onProblem: options.onProblem,
      startOffset: compression === 'none' ? start : 0,
      knownEnd,
      maxRecordBytes: options.maxRecordBytes ?? 1 << 30,
      stats: options.stats ?? { bytes: 0 },
      onTiming: options.onTiming,
    });
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      const problem = { file: path, offset: -1, record: -1, code: 'TFRECORD_COMPRESSION' as const, error: `${compression} stream: ${(error as Error).message}` };
      if (!options.onProblem) throw new PipelineError(problem.code, `${path}: ${problem.error}`, { path, cause: error });
      options.onProblem(problem);
      return;
    }
    throw error;
  } finally {
    inflate?.destroy();
    await raw.return(undefined);
    await handle?.close();
  }
}

/** An object's chunks, each arrival timed as a read (the speed test's stage times). */
async function* timedChunks(chunks: AsyncGenerator<Buffer>, onTiming?: ReadRecordsOptions['onTiming']): AsyncGenerator<Buffer> {
  try {
    for (;;) {
      const began = performance.now();
      const next = await chunks.next();
      onTiming?.('read', began, performance.now());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await chunks.return(undefined);
  }
}

/**
 * The file's bytes in chunks, one read ahead: the next read runs on the libuv pool while the
 * caller checks CRCs and parses the current chunk (about 1.3x the throughput of one-at-a-time reads).
 * Each chunk is a fresh buffer, since records handed out are views into it.
 */
async function* fileChunks(handle: FileHandle, start: number, end: number, signal?: AbortSignal, onTiming?: ReadRecordsOptions['onTiming']): AsyncGenerator<Buffer> {
  const readAt = async (position: number) => {
    const length = Math.min(CHUNK_BYTES, end - position);
    const buffer = Buffer.allocUnsafe(length);
    const began = performance.now();
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    onTiming?.('read', began, performance.now());
    return buffer.subarray(0, bytesRead);
  };
  let position = start;
  let next: Promise<Buffer> | undefined = position < end ? readAt(position) : undefined;
  try {
    while (next) {
      const chunk = await next;
      signal?.throwIfAborted();
      position += chunk.length;
      next = chunk.length > 0 && position < end ? readAt(position) : undefined;
      if (chunk.length === 0) break;
      yield chunk;
    }
  } finally {
    // Never close the handle under a read still in flight.
    await next?.catch(() => undefined);
  }
}

/** Reads several files in order; with `onProblem`, a broken file is reported and the next one read. */
export async function* readRecordsFromFiles(paths: readonly string[], options: ReadRecordsOptions = {}): AsyncGenerator<TFRecord & { file: string }> {
  for (const file of paths) {
    for await (const record of readRecords(file, options)) yield Object.assign(record, { file });
  }
}

interface FrameContext {
  file: string;
  verify: boolean;
  onProblem?: (problem: RecordProblem) => void;
  startOffset: number;
  knownEnd: number;
  maxRecordBytes: number;
  stats: { bytes: number };
  onTiming?: ReadRecordsOptions['onTiming'];
}

/**
 * Splits a stream of chunks into records. Bytes are copied only when a record spans chunks, and then
 * once (pending parts are joined when enough bytes for the whole record have arrived).
 */
async function* frameRecords(chunks: AsyncIterable<Buffer>, ctx: FrameContext): AsyncGenerator<TFRecord> {
  let parts: Buffer[] = [];
  let have = 0;
  let need = HEADER_BYTES;
  let offset = ctx.startOffset; // stream offset of the first pending byte
  let index = 0;

  // Returns true when the file must stop here.
  const problem = (code: ErrorCode, at: number): true => {
    const error = MESSAGES[code]!;
    if (!ctx.onProblem) {
      throw new PipelineError(code, `${ctx.file}: ${error} in record ${index} at byte offset ${at}`, { path: ctx.file, offset: at, record: index });
    }
    ctx.onProblem({ file: ctx.file, offset: at, record: index, error, code });
    return true;
  };

  for await (const chunk of chunks) {
    parts.push(chunk);
    have += chunk.length;
    ctx.stats.bytes += chunk.length;
    if (have < need) continue;
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
    parts = [];
    let pos = 0;
    for (;;) {
      const left = buf.length - pos;
      if (left < HEADER_BYTES) {
        need = HEADER_BYTES;
        break;
      }
      const length = readHeaderLength(buf, pos);
      if (length < 0) {
        problem('TFRECORD_LENGTH_CRC', offset);
        return;
      }
      if (offset + FRAME_OVERHEAD + length > ctx.knownEnd) {
        problem('TFRECORD_TRUNCATED_RECORD', offset);
        return;
      }
      if (length > ctx.maxRecordBytes) {
        problem('TFRECORD_TOO_LARGE', offset);
        return;
      }
      if (left < FRAME_OVERHEAD + length) {
        need = FRAME_OVERHEAD + length;
        break;
      }
      const dataStart = pos + HEADER_BYTES;
      const data = buf.subarray(dataStart, dataStart + length);
      const frameOffset = offset;
      pos += FRAME_OVERHEAD + length;
      offset += FRAME_OVERHEAD + length;
      if (ctx.verify && !crcMatches(data, buf.readUInt32LE(dataStart + length), ctx.onTiming)) {
        problem('TFRECORD_DATA_CRC', frameOffset);
      } else {
        yield { data, offset: frameOffset, index };
      }
      index++;
    }
    have = buf.length - pos;
    if (have > 0) parts.push(buf.subarray(pos));
  }
  if (have > 0) problem(have < HEADER_BYTES ? 'TFRECORD_TRUNCATED_HEADER' : 'TFRECORD_TRUNCATED_RECORD', offset);
}

function crcMatches(data: Buffer, stored: number, onTiming: FrameContext['onTiming']): boolean {
  if (!onTiming) return maskedCrc32c(data) === stored;
  const began = performance.now();
  const ok = maskedCrc32c(data) === stored;
  onTiming('verify', began, performance.now());
  return ok;
}
