import { COMPRESSION_SUFFIX, type Compression } from '../tfrecord/compression.js';

const pad = (n: number) => String(n).padStart(5, '0');

/**
 * Deterministic names: `part-00003-of-00016.tfrecord[.gz|.zlib]` and `part-00003-of-00016.idx`;
 * with a TFDS-style prefix (`convert --split`), `photos-train.tfrecord-00003-of-00016[.gz|.zlib]`
 * and `photos-train.tfrecord-00003-of-00016.idx`, the names TFDS writes and readers expect.
 */
export function shardNames(partition: number, partitions: number, compression: Compression, tfdsPrefix?: string) {
  if (tfdsPrefix !== undefined) {
    const base = `${tfdsPrefix}.tfrecord-${pad(partition)}-of-${pad(partitions)}`;
    return { shard: `${base}${COMPRESSION_SUFFIX[compression]}`, index: `${base}.idx`, base };
  }
  const base = `part-${pad(partition)}-of-${pad(partitions)}`;
  return { shard: `${base}.tfrecord${COMPRESSION_SUFFIX[compression]}`, index: `${base}.idx`, base };
}
