/**
 * The worker protocol: task and result types of every task the pool runs. Errors cross threads
 * as {code, message}; large buffers are moved, not copied.
 */
import type { SerializedError } from '../errors.js';
import type { ImageOptions } from '../convert/image.js';
import type { Compression } from '../tfrecord/compression.js';
import type { Skip } from '../dataset/scan.js';

/** Counters shared by all workers (Atomics), read by the driver for progress: see PROGRESS_SLOTS. */
export type ProgressBuffer = SharedArrayBuffer;
export const PROGRESS_SLOTS = { items: 0, kilobytes: 1 } as const;

export interface ConvertTaskFile {
  path: string;
  rel: string;
  label: number;
  className: string;
}

export interface ConvertTask {
  partition: number;
  files: ConvertTaskFile[];
  shardPath: string;
  indexPath: string;
  image: ImageOptions;
  compression: Compression;
  /** Feature keys of the image, the class id and the class name (convert --image-key / --label-key). */
  keys?: { image: string; class: string; label: string };
  /** The run that owns the output folder: the shard is committed only while it still does (src/output/lock.ts). */
  run?: { dir: string; id: string };
  progress: ProgressBuffer;
}

export type TaskResult<T> = ({ ok: true } & T) | { ok: false; error: SerializedError };

export interface ConvertPartitionResult {
  partition: number;
  records: number;
  bytes: number;
  fileBytes: number;
  sha256: string;
  skipped: Skip[];
  seconds: number;
}
