/**
 * The output folder's record of itself. `manifest.json` lists every shard with its SHA-256, so
 * `--resume` keeps exactly the shards that still verify. While a run is going, each finished shard
 * is recorded at once in `_parts/<shard base>.json` (a killed run has no manifest yet); the manifest
 * is written from them at the end and the folder removed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { writeJsonAtomic } from '../output/atomic.js';
import { PARTS_DIR, readManifest, sha256File, shardEntrySchema, type Manifest, type ShardEntry } from '../run-folder/manifest.js';

export { writeJsonAtomic };
export type { Manifest, ShardEntry };

export { PARTS_DIR, sha256File };

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export async function recordShard(outDir: string, base: string, entry: ShardEntry): Promise<void> {
  await mkdir(join(outDir, PARTS_DIR), { recursive: true });
  await writeJsonAtomic(join(outDir, PARTS_DIR, `${base}.json`), entry);
}

/** What an earlier run left: its manifest (when whole) and the shards it or its part records list. */
export interface PreviousRun {
  options?: Record<string, unknown>;
  shards: Map<string, ShardEntry>;
  /** Why the manifest was not used (damaged): said to the user, its shards are redone unless a part record lists them. */
  damaged?: string;
}

/** Shards recorded by an earlier run (its manifest, or the part records of a run that was stopped). */
export async function previousRun(outDir: string): Promise<PreviousRun> {
  const found = new Map<string, ShardEntry>();
  let options: Record<string, unknown> | undefined;
  let damaged: string | undefined;
  try {
    const read = await readManifest(outDir);
    if (read.state === 'ours') {
      options = read.manifest.options;
      for (const s of read.manifest.shards) found.set(s.file, s);
    }
  } catch (error) {
    // --resume is how a damaged folder is mended: its manifest is not trusted, its shards redone.
    damaged = (error as Error).message;
  }
  const names = await readdir(join(outDir, PARTS_DIR)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json') && (n.startsWith('part-') || /\.tfrecord-\d{5}-of-\d{5}\.json$/.test(n)))) {
    const parsed = shardEntrySchema.safeParse(await readFile(join(outDir, PARTS_DIR, name), 'utf8').then(JSON.parse).catch(() => undefined));
    // A damaged record: that shard is redone.
    if (parsed.success) found.set(parsed.data.file, parsed.data);
  }
  return { options, shards: found, damaged };
}

/**
 * The entry, when the shard on disk is the one recorded (size, then SHA-256), was made from the
 * same input (the fingerprint holds each input's stamp: size, mtime, ctime, inode) and its index
 * matches it; undefined otherwise. Its counts are derived again from the shard (through the index
 * just checked against it): a manifest edited by hand is never the source of a total.
 */
export async function verifiedShard(outDir: string, entry: ShardEntry, expectedFingerprint: string): Promise<ShardEntry | undefined> {
  if (entry.fingerprint !== expectedFingerprint) return undefined;
  const info = await stat(join(outDir, entry.file)).catch(() => undefined);
  if (!info || info.size !== entry.fileBytes) return undefined;
  if ((await sha256File(join(outDir, entry.file))) !== entry.sha256) return undefined;
  // The TFRecord reader under the index check: loaded by --resume alone, not by every convert's driver.
  const [{ checkIndex }, { readIndex }] = await Promise.all([import('../tfrecord/index-check.js'), import('../tfrecord/record-index.js')]);
  if ((await checkIndex(join(outDir, entry.file), join(outDir, entry.index))) !== undefined) return undefined;
  const index = await readIndex(join(outDir, entry.index));
  const bytes = index.length ? index.at(-1)!.offset + index.at(-1)!.length : 0;
  if (index.length !== entry.records || bytes !== entry.bytes) return undefined;
  return entry;
}

export async function removeParts(outDir: string): Promise<void> {
  await rm(join(outDir, PARTS_DIR), { recursive: true, force: true });
}

/** Which shard a task is: what the driver planned and compares each returned entry with. */
export type ShardIdentity = Pick<ShardEntry, 'partition' | 'file' | 'index' | 'fingerprint'>;

/**
 * The returned entry, when it is the shard the driver asked for. The fingerprint a job carries
 * is copied, never computed, by the worker: it describes the driver's listing (input stamps,
 * options), which a worker cannot check. Anyone who can write to the cluster's Redis can rewrite
 * a queued job or its returned value; a job made to pass as another shard (another partition,
 * file name or fingerprint) is refused here, so a forged identity never reaches manifest.json
 * (nor a later --resume, which keeps a shard only by its fingerprint). What this cannot catch:
 * a job rewritten with other files (inside the run's recorded inputs) or options under the same
 * identity; Redis's password is what keeps that out (README, "Cluster mode").
 */
export function checkedEntry(expected: ShardIdentity, returned: unknown): ShardEntry {
  // A cluster result is JSON from Redis: its shape checked first (and its keys put in the manifest's order).
  const parsed = shardEntrySchema.safeParse((returned as { entry?: unknown } | undefined)?.entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PipelineError('CLUSTER', `the task of shard ${expected.file} returned no manifest entry (${issue.path.join('.') || 'entry'}: ${issue.message}): not a result of pipeline's worker; check who can write to the cluster's Redis`);
  }
  const entry = parsed.data;
  const differs = (Object.keys(expected) as (keyof ShardIdentity)[]).filter((k) => entry[k] !== expected[k]);
  if (differs.length) {
    const said = differs.map((k) => `${k} ${JSON.stringify(entry[k])}, expected ${JSON.stringify(expected[k])}`).join('; ');
    throw new PipelineError('CLUSTER', `the task of shard ${expected.file} returned another shard's entry (${said}): its job was changed after the driver wrote it; check who can write to the cluster's Redis`);
  }
  return entry;
}
