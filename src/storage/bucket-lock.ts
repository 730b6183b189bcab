/**
 * The lock of an output prefix on object storage: `<prefix>.pipeline.lock`, created with
 * `If-None-Match: *` so that of two runs only one creates it (S3 since 2024, Cloud Storage, Ceph
 * RGW; tested on RGW). It holds the same fields as the local lock (src/output/lock.ts): a holder
 * on this host whose process is gone is taken over; one on another host is respected.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { PipelineError } from '../errors.js';
import { isStale, LOCK_FILE, type LockInfo } from '../output/lock.js';
import { openUrl, type ObjectStore, type StorageConfig } from './object-store.js';
import { folderPrefix } from './url.js';

export interface BucketLock {
  info: LockInfo;
  release(): Promise<void>;
}

export async function acquireBucketLock(store: ObjectStore, prefix: string, command: string): Promise<BucketLock> {
  const key = folderPrefix(prefix) + LOCK_FILE;
  const info: LockInfo = { runId: randomUUID(), command, pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    if (await store.createIfAbsent(key, JSON.stringify(info) + '\n')) break;
    const holder = await readLockAt(store, key);
    if ((holder && !isStale(holder)) || attempt > 2) {
      const who = holder ? `${holder.command} run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.started})` : 'another run';
      throw new PipelineError('USAGE', `${store.url(folderPrefix(prefix))} is in use by ${who}: wait for it to end, or, if that process is gone, delete ${store.url(key)}`, { path: store.url(key) });
    }
    // Its holder is dead (same host, pid gone): removed only if it is still the one judged.
    if ((await readLockAt(store, key))?.runId === holder?.runId) await store.delete(key);
  }
  return {
    info,
    async release() {
      if ((await readLockAt(store, key))?.runId === info.runId) await store.delete(key);
    },
  };
}

/** The lock's holder; undefined when there is none or it is unreadable. A store that cannot be reached is an error, not "no holder". */
async function readLockAt(store: ObjectStore, key: string): Promise<LockInfo | undefined> {
  const text = await store.getText(key);
  try {
    const value = JSON.parse(text ?? 'null') as LockInfo | null;
    return typeof value?.runId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The holder of the lock of an output URL (workers check it before they commit a shard). */
export async function readBucketLock(url: string, storage?: StorageConfig): Promise<LockInfo | undefined> {
  const { store, key } = openUrl(url, storage);
  return readLockAt(store, folderPrefix(key) + LOCK_FILE);
}
