/**
 * The convert worker's side of object storage: images read as objects (a missing one is a skip,
 * as a vanished file is), and shards written to a local temporary folder, then uploaded: the
 * index first, the shard last, each object visible only when complete.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PipelineError } from '../errors.js';
import { openUrl, type StorageConfig } from './object-store.js';

/** The image's bytes, or the reason it is skipped (deleted between the listing and the read). */
export async function readImageObject(url: string, storage?: StorageConfig): Promise<Buffer | string> {
  const { store, key } = openUrl(url, storage);
  try {
    return await store.get(key);
  } catch (error) {
    if (error instanceof PipelineError && error.code === 'NOT_FOUND') return 'vanished during the run (NoSuchKey)';
    throw error;
  }
}

/** Runs `write` with local paths for the shard and its index in a fresh temporary folder, removed afterwards. */
export async function withLocalShard<T>(shardUrl: string, write: (shard: string, index: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-shard-'));
  try {
    const name = basename(shardUrl);
    return await write(join(dir, name), join(dir, `${name}.idx`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Uploads a finished shard and its index (index first: a visible shard always has its index). */
export async function uploadShard(
  local: { shard: string; index: string }, target: { shard: string; index: string }, storage?: StorageConfig, signal?: AbortSignal,
): Promise<void> {
  const index = openUrl(target.index, storage);
  await index.store.putFile(index.key, local.index, signal);
  const shard = openUrl(target.shard, storage);
  await shard.store.putFile(shard.key, local.shard, signal);
}
