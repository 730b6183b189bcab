/**
 * Shards on object storage, for the convert worker and `--resume`: a shard is written to a local
 * temporary folder first (its SHA-256 computed as it is written), then uploaded (one PUT, or a
 * multipart upload that becomes visible only when complete), index first; `--resume` checks a
 * listed shard's size, its SHA-256 (read back: an ETag is not a checksum for multipart objects)
 * and its index.
 */
import { createHash } from 'node:crypto';
import type { ShardEntry } from '../run-folder/manifest.js';
import { indexMismatch, parseIndex } from '../tfrecord/record-index.js';
import type { ObjectStore } from './object-store.js';

/** True when the object is the shard recorded (size, then SHA-256 of its bytes), made from the same input, with a matching index. */
export async function bucketShardValid(store: ObjectStore, prefix: string, entry: ShardEntry, expectedFingerprint: string): Promise<boolean> {
  if (entry.fingerprint !== expectedFingerprint) return false;
  const head = await store.head(prefix + entry.file);
  if (!head || head.size !== entry.fileBytes) return false;
  const hash = createHash('sha256');
  for await (const chunk of store.stream(prefix + entry.file)) hash.update(chunk);
  if (hash.digest('hex') !== entry.sha256) return false;
  const index = await store.getText(prefix + entry.index);
  if (index === undefined) return false;
  try {
    // Offsets are in the uncompressed stream: checked against its length, compressed or not.
    return indexMismatch(parseIndex(index), entry.bytes) === undefined && parseIndex(index).length === entry.records;
  } catch {
    return false;
  }
}
