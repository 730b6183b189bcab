/**
 * The manifest is the single truth of what a converted dataset is. When a folder holds our
 * `manifest.json`, its shards are exactly the files the manifest lists: other TFRecord files there
 * (left by hand, by another tool, by an older run) are reported, never counted.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PipelineError } from '../errors.js';
import { PARTS_DIR, readManifest, type ShardEntry } from '../run-folder/manifest.js';

export interface ManifestSelection {
  /** The files to read: the manifest's shards when there is one, else `files` unchanged. */
  files: string[];
  /** TFRecord files found in the folder that the manifest does not list. */
  unlisted: string[];
  /** Shards the manifest lists that are not on disk. */
  missing: string[];
  /** True when a manifest decided. */
  manifest: boolean;
  /** What the manifest says of each listed shard (by path): readers check the file against it. */
  expected: Map<string, ShardEntry>;
}

export async function selectByManifest(dir: string, files: readonly string[]): Promise<ManifestSelection> {
  const isDir = (await stat(dir).catch(() => undefined))?.isDirectory();
  // A damaged manifest of ours is exit 3 naming it (src/run-folder/manifest.ts), never read as "no manifest".
  const read = isDir ? await readManifest(dir) : undefined;
  if (read?.state !== 'ours') return { files: [...files], unlisted: [], missing: [], manifest: false, expected: new Map() };
  const listed = read.manifest.shards.map((s) => join(dir, s.file));
  const expected = new Map(read.manifest.shards.map((s) => [join(dir, s.file), s]));
  const onDisk = await Promise.all(listed.map(async (f) => (await stat(f).catch(() => undefined))?.isFile() ?? false));
  return {
    files: listed.filter((_, i) => onDisk[i]),
    unlisted: files.filter((f) => !expected.has(f)),
    missing: listed.filter((_, i) => !onDisk[i]),
    manifest: true,
    expected,
  };
}

/**
 * How a shard differs from its manifest entry by the cheap checks (file size, record count), or
 * undefined. `inspect --verify` adds the SHA-256 (shardHashMismatch).
 */
export function shardCountMismatch(entry: ShardEntry, fileBytes: number, records: number): string | undefined {
  if (fileBytes !== entry.fileBytes) return `${fileBytes} bytes where manifest.json says ${entry.fileBytes}`;
  if (records !== entry.records) return `${records} records where manifest.json says ${entry.records}`;
  return undefined;
}

/** The mismatch line when the shard's SHA-256 is not the manifest's. */
export function shardHashMismatch(entry: ShardEntry, sha256: string): string | undefined {
  return sha256 === entry.sha256 ? undefined : `SHA-256 ${sha256.slice(0, 12)}... where manifest.json says ${entry.sha256.slice(0, 12)}... (replaced or altered)`;
}

/**
 * The manifest rule applied to every folder the files came from (a target folder, a split folder
 * of `convert --split`, each of several targets): folders with a manifest give exactly their listed
 * shards; a folder of a convert run that never finished (its `_parts` record is there, its
 * manifest is not) is refused, since its shards are only part of a dataset; other files are kept.
 */
export async function selectByManifests(targets: readonly string[], files: readonly string[]): Promise<ManifestSelection> {
  const dirs = [...new Set([...targets, ...files.map((f) => dirname(f))])];
  const selections = new Map<string, ManifestSelection>();
  for (const dir of dirs) {
    const inDir = files.filter((f) => dirname(f) === dir);
    const selection = await selectByManifest(dir, inDir);
    if (!selection.manifest && inDir.length > 0 && (await stat(join(dir, PARTS_DIR)).catch(() => undefined))) {
      throw new PipelineError('DATA', `${dir}: a convert run that did not finish (no manifest.json, its _parts record is there); rerun convert with --resume`, { path: dir });
    }
    selections.set(dir, selection);
  }
  const decided = (f: string) => selections.get(dirname(f))?.manifest === true;
  return {
    // Found order, each manifest's shards in the manifest's order where its folder is met.
    files: dirs.flatMap((dir) => (selections.get(dir)!.manifest ? selections.get(dir)!.files : files.filter((f) => dirname(f) === dir && !decided(f)))),
    unlisted: dirs.flatMap((dir) => selections.get(dir)!.unlisted),
    missing: dirs.flatMap((dir) => selections.get(dir)!.missing),
    manifest: [...selections.values()].some((s) => s.manifest),
    expected: new Map([...selections.values()].flatMap((s) => [...s.expected])),
  };
}

/** One line for the user about files a manifest left out. */
export function unlistedNote(dir: string, unlisted: readonly string[]): string {
  const names = unlisted.map((f) => basename(f));
  return `${dir}: ${unlisted.length} TFRecord file(s) not in its manifest.json, not read or counted (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`;
}
