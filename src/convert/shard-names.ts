import { COMPRESSION_SUFFIX, type Compression } from '../tfrecord/compression.js';

const pad = (n: number) => String(n).padStart(5, '0');

/** Deterministic names: `part-00003-of-00016.tfrecord[.gz|.zlib]` and `part-00003-of-00016.idx`. */
export function shardNames(partition: number, partitions: number, compression: Compression) {
  const base = `part-${pad(partition)}-of-${pad(partitions)}`;
  return { shard: `${base}.tfrecord${COMPRESSION_SUFFIX[compression]}`, index: `${base}.idx`, base };
}
