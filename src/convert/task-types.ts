/**
 * Convert's task on the pool: one partition of the dataset written as one shard. Registered in the
 * pool's task registry (src/pool/protocol.ts) under `convertPartition`.
 */
import type { ImageOptions } from './image.js';
import type { Compression } from '../tfrecord/compression.js';
import type { ShardEntry } from '../run-folder/manifest.js';
import type { RequestStatsData } from '../storage/request-stats.js';
import type { StorageConfig } from '../storage/object-store.js';

export interface ConvertTaskFile {
  path: string;
  rel: string;
  label: number;
  className: string;
}

export interface ConvertTask {
  partition: number;
  files: ConvertTaskFile[];
  /** The shard and its index; their names are the entry's `file` and `index` (src/convert/shard-entry.ts). */
  shardPath: string;
  indexPath: string;
  /**
   * The shard's inputs (each file's stamp) and options as the driver listed them, hashed: copied
   * into the entry for --resume, never computed by the worker (the driver checks it comes back).
   */
  fingerprint: string;
  image: ImageOptions;
  compression: Compression;
  /** Feature keys of the image, the class id and the class name (convert --image-key / --label-key). */
  keys?: { image: string; class: string; label: string };
  /** The run that owns the output folder: the shard is committed only while it still does (src/output/lock.ts). */
  run?: { dir: string; id: string };
  /** Where s3:// / gs:// paths go (`--endpoint`); keys come from each worker's own credential chain. */
  storage?: StorageConfig;
}

/** The shard's finished manifest entry (the driver collects, checks, orders and writes them). */
export interface ConvertPartitionResult {
  entry: ShardEntry;
  seconds: number;
  /** This task's requests to object storage (its thread's counts), when it made any. */
  requests?: RequestStatsData;
}

declare module '../pool/protocol.js' {
  interface Tasks {
    convertPartition: { input: ConvertTask; result: ConvertPartitionResult };
  }
}
