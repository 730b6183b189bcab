/**
 * A TFRecord object's bytes for the reader (src/tfrecord/reader.ts), from one GET: ranged from the
 * first record wanted when a task reads part of a shard (from its `.idx`). The response gives the
 * object's size (for the truncation check) and its first bytes give the compression when the name
 * does not: no HEAD and no second request, since on a bucket each round trip costs more than the
 * bytes.
 */
import { PipelineError } from '../errors.js';
import { compressionFromBytes, compressionFromName, type Compression } from '../tfrecord/compression.js';
import type { StorageConfig } from './object-store.js';

export interface ObjectBytes {
  size: number;
  compression: Compression;
  chunks: AsyncGenerator<Buffer>;
}

export async function openObjectBytes(url: string, range: { start: number; end?: number }, compression: Compression | 'auto' | undefined, storage?: StorageConfig): Promise<ObjectBytes> {
  // Imported here, not at the top: every TFRecord reader imports this file, and a local read should
  // not pay for loading the AWS SDK (about 0.15 s of CPU).
  const { openUrl } = await import('./object-store.js');
  const { store, key } = openUrl(url, storage);
  let opened;
  try {
    opened = await store.open(key, range);
  } catch (error) {
    if (error instanceof PipelineError && error.code === 'NOT_FOUND') throw new PipelineError('NOT_FOUND', `${url}: no such object (endpoint ${store.endpoint})`, { path: url, cause: error });
    throw error;
  }
  const named: Compression | undefined = compression && compression !== 'auto' ? compression : compressionFromName(url);
  if (named || range.start > 0) return { size: opened.size, compression: named ?? 'none', chunks: opened.chunks };
  // The first chunk says (gzip and zlib magic, or a valid record header); it is handed on unchanged.
  const first = await opened.chunks.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const rest = opened.chunks;
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head;
      yield* rest;
    } finally {
      await rest.return(undefined);
    }
  }
  return { size: opened.size, compression: compressionFromBytes(head), chunks: all() };
}
