/**
 * A shard's manifest entry, finished where the shard is written (a local thread or a cluster
 * worker: the same code, the same entry); the driver checks it (checkedEntry in manifest.ts),
 * orders and writes it.
 *
 * Loaded on worker threads: no zod here (types only from the manifest's schema).
 */
import { basename } from 'node:path';
import type { Skip } from '../dataset/scan.js';
import type { ShardEntry } from '../run-folder/manifest.js';
import type { ConvertTask } from './task-types.js';

/** What the writer of the shard reports (src/tfrecord/writer.ts). */
export interface WrittenShard {
  records: number;
  bytes: number;
  fileBytes: number;
  sha256: string;
}

/**
 * The entry of the shard the task wrote: its names are those of the paths it was given (plain
 * names directly in the run's folder or prefix: checked by the cluster job's schema), its
 * fingerprint the one the driver planned. Keys in this order: manifest.json's bytes.
 */
export function finishedEntry(task: ConvertTask, written: WrittenShard, skipped: Skip[]): ShardEntry {
  return {
    partition: task.partition,
    file: basename(task.shardPath),
    index: basename(task.indexPath),
    records: written.records,
    bytes: written.bytes,
    fileBytes: written.fileBytes,
    sha256: written.sha256,
    fingerprint: task.fingerprint,
    skipped,
  };
}
