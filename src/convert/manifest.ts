/**
 * The output folder's record of itself. `manifest.json` lists every shard with its SHA-256, so
 * `--resume` keeps exactly the shards that still verify. While a run is going, each finished shard
 * is recorded at once in `_parts/<shard base>.json` (a killed run has no manifest yet); the manifest
 * is written from them at the end and the folder removed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Skip } from '../dataset/scan.js';
import { writeJsonAtomic } from '../output/atomic.js';
import { checkIndex } from '../tfrecord/index-check.js';
import { PARTS_DIR } from '../run-folder/convert-files.js';

export { writeJsonAtomic };

export { PARTS_DIR } from '../run-folder/convert-files.js';

export interface ShardEntry {
  partition: number;
  file: string;
  index: string;
  records: number;
  /** Uncompressed stream bytes. */
  bytes: number;
  fileBytes: number;
  sha256: string;
  /** Input files and options this shard was made from; resume redoes a shard whose input changed. */
  fingerprint: string;
  skipped: Skip[];
}

export interface Manifest {
  tool: { name: 'pipeline'; version: string };
  options: Record<string, unknown>;
  classes: string[];
  /** Each shard with the inputs it skipped, so `--resume` can keep it and still report them. */
  shards: ShardEntry[];
  totals: { images: number; records: number; skipped: number; bytes: number; fileBytes: number };
  skipped: number;
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return hash.digest('hex');
}

export async function recordShard(outDir: string, base: string, entry: ShardEntry): Promise<void> {
  await mkdir(join(outDir, PARTS_DIR), { recursive: true });
  await writeJsonAtomic(join(outDir, PARTS_DIR, `${base}.json`), entry);
}

/** The options an earlier, finished run recorded in its manifest (undefined without one). */
export async function previousOptions(outDir: string): Promise<Record<string, unknown> | undefined> {
  const manifest = await readFile(join(outDir, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as Manifest).catch(() => undefined);
  return manifest?.options;
}

/** Shards recorded by an earlier run (its manifest, or the part records of a run that was stopped). */
export async function previousShards(outDir: string): Promise<Map<string, ShardEntry>> {
  const found = new Map<string, ShardEntry>();
  try {
    const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
    for (const s of manifest.shards) found.set(s.file, s);
  } catch {
    // no manifest: a first run, or a run that was stopped
  }
  const names = await readdir(join(outDir, PARTS_DIR)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json') && (n.startsWith('part-') || /\.tfrecord-\d{5}-of-\d{5}\.json$/.test(n)))) {
    try {
      const entry = JSON.parse(await readFile(join(outDir, PARTS_DIR, name), 'utf8')) as ShardEntry;
      found.set(entry.file, entry);
    } catch {
      // a damaged record: that shard is redone
    }
  }
  return found;
}

/**
 * True when the shard on disk is the one recorded (size, then SHA-256), was made from the same
 * input (the fingerprint holds each input's stamp: size, mtime, ctime, inode) and its index matches it.
 */
export async function shardStillValid(outDir: string, entry: ShardEntry, expectedFingerprint: string): Promise<boolean> {
  if (entry.fingerprint !== expectedFingerprint) return false;
  const info = await stat(join(outDir, entry.file)).catch(() => undefined);
  if (!info || info.size !== entry.fileBytes) return false;
  if ((await sha256File(join(outDir, entry.file))) !== entry.sha256) return false;
  return (await checkIndex(join(outDir, entry.file), join(outDir, entry.index))) === undefined;
}

export async function removeParts(outDir: string): Promise<void> {
  await rm(join(outDir, PARTS_DIR), { recursive: true, force: true });
}
