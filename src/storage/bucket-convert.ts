/**
 * `convert --out s3://bucket/prefix`: the same convert, with its shards in a bucket. A store has no
 * rename, so commits are made of whole objects: each shard appears only complete (one PUT or a
 * completed multipart upload, by the worker that wrote it), each finished shard is recorded at
 * once as `_parts/<shard>.json`, and `manifest.json`, written last, is the commit of the run.
 *
 * The driver's bookkeeping (part records, labels, skipped list, convert-run/) is made in a local
 * staging folder by the ordinary convert and uploaded; what `--resume` needs is always in the
 * bucket, so a run killed anywhere resumes from any machine.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PipelineError } from '../errors.js';
import { PARTS_DIR, type ShardEntry } from '../run-folder/manifest.js';
import { parseManifest } from '../run-folder/manifest.js';
import { LOCK_FILE } from '../output/lock.js';
import { SHARD_FILE } from '../run-folder/ownership.js';
import { acquireBucketLock } from './bucket-lock.js';
import { bucketShardValid } from './bucket-shards.js';
import { openUrl, type ObjectStore, type StorageConfig } from './object-store.js';
import { addRequestCounts, requestMark, requestsSince, type ConvertRequestFigures } from './request-figures.js';
import { folderPrefix, isStorageUrl, isUnder } from './url.js';

/** What convert needs to put its shards in a bucket (handed to its core beside the options). */
export interface BucketTarget {
  url: string;
  runId: string;
  storage: StorageConfig;
  /** The URL a worker writes a shard (or index) to. */
  location(name: string): string;
  shardStillValid(entry: ShardEntry, fingerprint: string): Promise<boolean>;
  recordShard(base: string, entry: ShardEntry): Promise<void>;
  /** Removes the old manifest and every shard object not in `keep`. */
  dropStale(keep: Set<string>): Promise<void>;
}

/** Under `_parts/`, put when a run starts: not a part record (those end in .json). */
const RUN_MARKER = '.started';

/** Files of a convert run other than shards: what `--overwrite` removes besides them. */
const RUN_FILES = ['manifest.json', 'labels.txt', 'skipped.csv'];
const RUN_FOLDERS = [`${PARTS_DIR}/`, 'convert-run/'];

/**
 * What this needs of convert's options and result: generic, so storage/ does not import the
 * command that calls it (convert passes itself as `run`).
 */
interface BucketConvertOptions {
  input: string;
  out?: string;
  endpoint?: string;
  resume?: boolean;
  overwrite?: boolean;
  onInfo?: (message: string) => void;
}

export async function convertToBucket<O extends BucketConvertOptions, R extends { out: string; objectStorage?: ConvertRequestFigures }>(
  given: O,
  run: (options: O, bucket: BucketTarget) => Promise<R>,
): Promise<R> {
  const url = given.out!;
  // This thread's requests around the run (bucket check, lock, listing, publishing): added to the run's own.
  const requestsBefore = requestMark();
  const storage: StorageConfig = { endpoint: given.endpoint };
  const { store, key } = openUrl(url, storage);
  const prefix = folderPrefix(key);
  if (isStorageUrl(given.input) && isUnder(given.input, url)) {
    throw new PipelineError('USAGE', `--out ${url}: expected a prefix outside the input ${given.input}, got one that holds it`, { path: url });
  }
  await store.checkBucket();
  const lock = await acquireBucketLock(store, prefix, 'convert');
  const staging = await mkdtemp(join(tmpdir(), 'pipeline-out-'));
  let committed = false;
  try {
    // Uploads a killed run left open hold billed parts and are never completed: we own the prefix now.
    const aborted = await store.abortUploads(prefix);
    if (aborted) given.onInfo?.(`aborted ${aborted} unfinished multipart upload(s) of an earlier run under ${url}`);
    const state = await judgePrefix(store, prefix, url, given);
    if (state === 'resume') await fetchRunRecords(store, prefix, staging);
    // The bucket's `_parts` folder: a run stopped before its first shard was recorded (only an
    // index uploaded, say) is still known as ours, so `--resume` continues it (a local run has its
    // `_parts` folder from the start). Removed with the part records once the manifest is up.
    await store.put(`${prefix}${PARTS_DIR}/${RUN_MARKER}`, `${lock.info.runId}\n`);
    const target: BucketTarget = {
      // The prefix as a folder URL without its last "/": each shard's URL is directly inside it (the cluster worker checks that).
      url: store.url(prefix).replace(/\/$/, ''),
      runId: lock.info.runId,
      storage,
      location: (name) => store.url(prefix + name),
      shardStillValid: (entry, fingerprint) => bucketShardValid(store, prefix, entry, fingerprint),
      recordShard: (base, entry) => store.put(`${prefix}${PARTS_DIR}/${base}.json`, JSON.stringify(entry, null, 2) + '\n', 'application/json'),
      async dropStale(keep) {
        await store.delete(prefix + 'manifest.json');
        const stale: string[] = [];
        for await (const o of store.list(prefix)) {
          const name = o.key.slice(prefix.length);
          if (SHARD_FILE.test(name) && !keep.has(name)) stale.push(o.key);
        }
        await store.deleteAll(stale);
      },
    };
    let result: R;
    const beforeRun = requestsSince(requestsBefore);
    try {
      result = await run({ ...given, out: staging, resume: state === 'resume', overwrite: false }, target);
    } catch (error) {
      // --strict: the run is complete and its files are written; only the exit code says "skips".
      if (error instanceof PipelineError && error.code === 'STRICT') {
        await publish(store, prefix, staging);
        committed = true;
        const partial = (error as PipelineError & { result?: R }).result;
        if (partial) partial.out = url;
        throw new PipelineError('STRICT', error.message.split(staging).join(url.replace(/\/$/, '')), { cause: error });
      }
      // Messages name the bucket, never the staging folder the user did not ask for.
      if (error instanceof PipelineError && error.message.includes(staging))
        throw new PipelineError(error.code, error.message.split(staging).join(url.replace(/\/$/, '')), { path: url, cause: error });
      throw error;
    }
    const afterRun = requestMark();
    await publish(store, prefix, staging);
    committed = true;
    const objectStorage = addRequestCounts(addRequestCounts(result.objectStorage, beforeRun), requestsSince(afterRun));
    return { ...result, out: url, ...(objectStorage ? { objectStorage } : {}) };
  } finally {
    // An interrupted or failed run: no upload of it stays open (workers abort theirs on error; this covers a stop mid-upload).
    if (!committed) await store.abortUploads(prefix).catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    await lock.release().catch(() => undefined);
  }
}

/** new (empty prefix), resume or overwrite (an earlier convert run there); anything else exit 2. */
async function judgePrefix(store: ObjectStore, prefix: string, url: string, options: BucketConvertOptions): Promise<'new' | 'resume' | 'overwrite'> {
  if (options.resume && options.overwrite) throw new PipelineError('USAGE', '--resume and --overwrite: expected one of the two, got both');
  const names: string[] = [];
  let others = 0;
  for await (const o of store.list(prefix)) {
    const name = o.key.slice(prefix.length);
    if (name === LOCK_FILE) continue;
    if (ownName(name)) names.push(name);
    else if (others++ < 3) names.push(name);
  }
  if (names.length === 0) return 'new';
  const manifestText = names.includes('manifest.json') ? await store.getText(prefix + 'manifest.json') : undefined;
  // Judged by the one manifest reader; a damaged manifest beside our shard names is still our run (it is what --overwrite is for).
  let read: ReturnType<typeof parseManifest> | 'damaged' | undefined;
  try {
    read = manifestText === undefined ? undefined : parseManifest(manifestText, `${url}/manifest.json`);
  } catch {
    read = 'damaged';
  }
  const manifest = typeof read === 'object' && read.state === 'ours' ? read.manifest : undefined;
  const isRun = names.some((n) => n.startsWith(`${PARTS_DIR}/`)) || manifest !== undefined || (read === 'damaged' && names.some((n) => SHARD_FILE.test(n)));
  if (!isRun) {
    throw new PipelineError('USAGE', `${url} holds objects that are not a convert run's (${names.slice(0, 3).join(', ')}${others > 3 ? ', ...' : ''}): choose a new or empty prefix for --out`, { path: url });
  }
  if (options.overwrite) {
    // Only the old run's objects: its shards and indexes, its records, and what its manifest lists.
    const listed = new Set<string>();
    for (const s of manifest?.shards ?? []) for (const f of [s.file, s.index]) listed.add(f);
    const doomed: string[] = [];
    for await (const o of store.list(prefix)) {
      const name = o.key.slice(prefix.length);
      if (name !== LOCK_FILE && (ownName(name) || listed.has(name))) doomed.push(o.key);
    }
    await store.deleteAll(doomed);
    return 'overwrite';
  }
  if (options.resume) return 'resume';
  throw new PipelineError('USAGE', `${url} holds an earlier convert run: add --resume to continue it or --overwrite to replace it`, { path: url });
}

function ownName(name: string): boolean {
  return RUN_FILES.includes(name) || RUN_FOLDERS.some((f) => name.startsWith(f)) || SHARD_FILE.test(name);
}

/** The earlier run's manifest and part records, into the staging folder where convert --resume reads them. */
async function fetchRunRecords(store: ObjectStore, prefix: string, staging: string): Promise<void> {
  const manifest = await store.getText(prefix + 'manifest.json');
  if (manifest !== undefined) await writeFile(join(staging, 'manifest.json'), manifest);
  await mkdir(join(staging, PARTS_DIR), { recursive: true });
  for await (const o of store.list(`${prefix}${PARTS_DIR}/`)) {
    const name = o.key.slice(prefix.length + PARTS_DIR.length + 1);
    if (name.includes('/') || !name.endsWith('.json')) continue;
    const text = await store.getText(o.key);
    if (text !== undefined) await writeFile(join(staging, PARTS_DIR, name), text);
  }
}

/**
 * The run's own files, uploaded: labels, skipped list and convert-run/ first, `manifest.json` last
 * (the commit), then the part records go. A run killed before the manifest is uploaded resumes.
 */
async function publish(store: ObjectStore, prefix: string, staging: string): Promise<void> {
  const files = await walk(staging);
  for (const path of files) {
    const name = relative(staging, path).split('\\').join('/');
    if (name === 'manifest.json' || name.startsWith(`${PARTS_DIR}/`) || SHARD_FILE.test(name) || name.includes('.tmp-') || name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`)) continue;
    await store.put(prefix + name, await readFile(path));
  }
  await store.put(prefix + 'manifest.json', await readFile(join(staging, 'manifest.json')), 'application/json');
  const parts: string[] = [];
  for await (const o of store.list(`${prefix}${PARTS_DIR}/`)) parts.push(o.key);
  await store.deleteAll(parts);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out.sort();
}
