/**
 * The manifest is the single truth of what a converted dataset is. When a folder holds our
 * `manifest.json`, its shards are exactly the files the manifest lists: other TFRecord files there
 * (left by hand, by another tool, by an older run) are reported, never counted.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PARTS_DIR } from '../run-folder/convert-files.js';
import { PipelineError } from '../errors.js';

export interface ManifestSelection {
  /** The files to read: the manifest's shards when there is one, else `files` unchanged. */
  files: string[];
  /** TFRecord files found in the folder that the manifest does not list. */
  unlisted: string[];
  /** Shards the manifest lists that are not on disk. */
  missing: string[];
  /** True when a manifest decided. */
  manifest: boolean;
}

export async function selectByManifest(dir: string, files: readonly string[]): Promise<ManifestSelection> {
  const isDir = (await stat(dir).catch(() => undefined))?.isDirectory();
  const manifest = isDir ? await readFile(join(dir, 'manifest.json'), 'utf8').then(JSON.parse).catch(() => undefined) : undefined;
  if (manifest?.tool?.name !== 'pipeline' || !Array.isArray(manifest.shards)) return { files: [...files], unlisted: [], missing: [], manifest: false };
  const listed = (manifest.shards as { file?: unknown }[]).map((s) => s.file).filter((f): f is string => typeof f === 'string' && basename(f) === f).map((f) => join(dir, f));
  const onDisk = await Promise.all(listed.map(async (f) => (await stat(f).catch(() => undefined))?.isFile() ?? false));
  const wanted = new Set(listed);
  return {
    files: listed.filter((_, i) => onDisk[i]),
    unlisted: files.filter((f) => !wanted.has(f)),
    missing: listed.filter((_, i) => !onDisk[i]),
    manifest: true,
  };
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
  };
}

/** One line for the user about files a manifest left out. */
export function unlistedNote(dir: string, unlisted: readonly string[]): string {
  const names = unlisted.map((f) => basename(f));
  return `${dir}: ${unlisted.length} TFRecord file(s) not in its manifest.json, not read or counted (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`;
}
