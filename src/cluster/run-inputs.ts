/**
 * Where a cluster convert job may read its images. A job's file paths come from Redis, and whoever
 * can write a job could name any file or object a worker can read (/etc/shadow, another bucket) and
 * have it stored in a shard. The driver records its run's inputs (the folders and prefixes its
 * images are in) in the run's own output folder, `_parts/inputs.json`, before it queues a job: a
 * place only the driver writes (a job can write nothing but its shard and index, jobs.ts). A worker
 * reads that record for the run a job names and runs the job only if each of its files is inside
 * one of those inputs.
 *
 * The inputs are the folders (prefixes) holding the run's images, each one covering those below it:
 * a class-folder dataset gives its class folders, an image list the folders of its entries. Past
 * MAX_INPUTS they are merged into their common folder per bucket (and one for local files), which
 * confines less tightly but keeps the record small.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { z } from 'zod';
import { PARTS_DIR } from '../run-folder/convert-files.js';
import { writeJsonAtomic } from '../output/atomic.js';
import { isStorageUrl, parseStorageUrl } from '../storage/url.js';
import type { StorageConfig } from '../storage/storage-config.js';

export const INPUTS_FILE = 'inputs.json';
/** Inputs kept apart before they are merged: a record read by every job stays a few tens of KB. */
export const MAX_INPUTS = 1000;

const recordSchema = z.object({ runId: z.string(), inputs: z.array(z.string().min(1)) }).strict();
export type RunInputs = z.infer<typeof recordSchema>;

/** A local folder (no trailing separator) or an object prefix URL ending in "/" (`s3://b/` for a whole bucket). */
function folderOf(path: string): string {
  if (!isStorageUrl(path)) return dirname(path);
  const { scheme, bucket, key } = parseStorageUrl(path);
  return `${scheme}://${bucket}/${key.slice(0, key.lastIndexOf('/') + 1)}`;
}

/** True when `folder` is `root` or below it (both as folderOf gives them). */
function folderUnder(folder: string, root: string): boolean {
  if (isStorageUrl(root)) return folder.startsWith(root);
  const rel = relative(root, folder);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The longest common folder of folders of one space (one bucket, or the local disk). */
function commonFolder(folders: readonly string[]): string {
  const url = isStorageUrl(folders[0]);
  const split = (f: string) => (url ? f.split('/').slice(0, -1) : f.split(sep));
  let common = split(folders[0]);
  for (const f of folders.slice(1)) {
    const parts = split(f);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  // URLs: at least `s3:`, ``, `bucket` (the same space); local: at least the root `` of `/...`.
  return url ? `${common.join('/')}/` : common.join(sep) || sep;
}

/** The run's inputs: the folders of `paths` (files or object URLs), none inside another, merged past `max`. */
export function runInputs(paths: readonly string[], max = MAX_INPUTS): string[] {
  const folders = [...new Set(paths.map(folderOf))].sort();
  // Sorted, a folder comes right after the folders holding it that are kept.
  const kept: string[] = [];
  for (const f of folders) if (!kept.some((k) => folderUnder(f, k))) kept.push(f);
  if (kept.length <= max) return kept;
  const spaces = new Map<string, string[]>();
  for (const f of kept) {
    const space = isStorageUrl(f) ? f.slice(0, f.indexOf('/', f.indexOf('//') + 2) + 1) : sep;
    spaces.set(space, [...(spaces.get(space) ?? []), f]);
  }
  return [...spaces.values()].map(commonFolder).sort();
}

/**
 * Why `path` is outside every one of `inputs`, or undefined when it is inside one. An object key
 * with a `.` or `..` segment is refused whatever its prefix: a server may resolve it to another key.
 */
export function outsideInputs(path: string, inputs: readonly string[]): string | undefined {
  if (isStorageUrl(path)) {
    let parsed: ReturnType<typeof parseStorageUrl>;
    try {
      parsed = parseStorageUrl(path);
    } catch {
      return 'not an s3:// or gs:// URL with a valid bucket name';
    }
    const { scheme, bucket, key } = parsed;
    if (key.split('/').some((s) => s === '.' || s === '..')) return 'an object key with a "." or ".." segment';
    const url = `${scheme}://${bucket}/${key}`;
    return inputs.some((i) => isStorageUrl(i) && url.startsWith(i) && url.length > i.length) ? undefined : 'outside the run\'s input';
  }
  if (!isAbsolute(path)) return 'not an absolute path';
  return inputs.some((i) => !isStorageUrl(i) && folderUnder(dirname(path), i) && posix.normalize(path) === path) ? undefined : 'outside the run\'s input';
}

/** Where the record of a run whose output folder (or prefix URL, without its last "/") is `dir` lives. */
function recordPath(dir: string): string {
  return isStorageUrl(dir) ? `${dir}/${PARTS_DIR}/${INPUTS_FILE}` : join(dir, PARTS_DIR, INPUTS_FILE);
}

/** The driver: the run's inputs written into its output folder (or prefix) before any job is queued. */
export async function writeRunInputs(dir: string, record: RunInputs, storage?: StorageConfig): Promise<void> {
  const text = JSON.stringify(record) + '\n';
  if (!isStorageUrl(dir)) {
    await mkdir(join(dir, PARTS_DIR), { recursive: true });
    return writeJsonAtomic(recordPath(dir), record);
  }
  const { openUrl } = await import('../storage/object-store.js');
  const { store, key } = openUrl(recordPath(dir), storage);
  await store.put(key, text, 'application/json');
}

/** A worker: the record of the run whose folder is `dir`; undefined when there is none or it is not one. */
export async function readRunInputs(dir: string, storage?: StorageConfig): Promise<RunInputs | undefined> {
  let text: string | undefined;
  if (isStorageUrl(dir)) {
    const { openUrl } = await import('../storage/object-store.js');
    const { store, key } = openUrl(recordPath(dir), storage);
    text = await store.getText(key);
  } else {
    text = await readFile(recordPath(dir), 'utf8').catch(() => undefined);
  }
  if (text === undefined) return undefined;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
