/**
 * Lists an image dataset: one sub-folder per class (label ids are the class names in sorted
 * order, 0-based), images anywhere below a class folder, recognised later by content. Files at the
 * top level are not in any class and are ignored; names starting with "." are ignored everywhere.
 * Symbolic links are followed; a dangling one is reported as skipped.
 */
import { readdir, stat } from 'node:fs/promises';
import { constants, lstatSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { PARTS_DIR, readManifest } from '../run-folder/manifest.js';

export interface DatasetFile {
  /** Path relative to the dataset folder, with "/" separators (stored in each record). */
  rel: string;
  path: string;
  label: number;
  className: string;
  size: number;
  /**
   * What `--resume` compares to tell an unchanged input: size, mtime and ctime (ns) and inode.
   * Any write updates mtime and ctime (ctime cannot be set back by hand), so a same-size edit in
   * place is seen without reading every input again (see fileStamp).
   */
  stamp: string;
}

export interface Skip {
  path: string;
  reason: string;
}

export interface Dataset {
  root: string;
  classes: string[];
  files: DatasetFile[];
  /** Entries that could not even be listed (dangling links, unreadable folders). */
  skipped: Skip[];
  /** What the user should know about the listing: earlier convert outputs found inside and left out. */
  notes?: string[];
}

/** Code-point order, the same on every machine and locale. */
export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface ScanOptions {
  /** Folders never entered (the run's own output folder, wherever it is). */
  exclude?: string[];
}

/** Size, mtime, ctime and inode of a file: changes whenever its content is written. */
export function fileStamp(info: BigIntStats): string {
  // join, not a template: a template of bigints is a tree of string pieces (a "cons string") that
  // keeps about 200 bytes more per file alive, 200 MB on a million-image dataset.
  return [info.size, info.mtimeNs, info.ctimeNs, info.ino].join(':');
}

/**
 * Every control character (C0, DEL, C1, which holds U+0085 NEXT LINE) and the Unicode line and
 * paragraph separators U+2028 / U+2029: a class name with one would be more than one line of
 * labels.txt for some reader (Python's str.splitlines breaks at all of them).
 */
export const NOT_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Fails (exit 2) unless `root` is a folder: checked before an output folder is touched. */
export async function checkDatasetRoot(root: string): Promise<void> {
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new PipelineError('NOT_FOUND', `${root}: expected a folder with one sub-folder per class, got ${info ? 'a file' : 'nothing'}`, { path: root });
}

export async function scanDataset(root: string, options: ScanOptions = {}): Promise<Dataset> {
  await checkDatasetRoot(root);
  // Excluded folders by device and inode: a path spelled differently (links, ..) is still seen.
  const excluded = new Set<string>();
  for (const dir of options.exclude ?? []) {
    const e = await stat(dir).catch(() => undefined);
    if (e) excluded.add(`${e.dev}:${e.ino}`);
  }
  const classes: string[] = [];
  const notes: string[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name))) {
    if (entry.name.startsWith('.')) continue;
    const target = await stat(join(root, entry.name)).catch(() => undefined);
    if (!target?.isDirectory() || excluded.has(`${target.dev}:${target.ino}`)) continue;
    // An earlier run's output kept beside the classes is not a class: as one it would shift every
    // later class id (and its shards would be skipped inputs).
    if (await isConvertOutput(join(root, entry.name))) {
      notes.push(`${join(root, entry.name)} holds an earlier convert output (manifest.json): not a class, left out`);
      continue;
    }
    if (NOT_IN_A_LINE.test(entry.name)) {
      throw new PipelineError('USAGE', `${join(root, entry.name)}: a class folder whose name holds a control character or line separator (${JSON.stringify(entry.name)}) cannot be one line of labels.txt; rename the folder`, { path: join(root, entry.name) });
    }
    classes.push(entry.name);
  }
  if (classes.length === 0) throw new PipelineError('NOT_FOUND', `${root}: expected one sub-folder per class, found none`, { path: root });

  const files: DatasetFile[] = [];
  const skipped: Skip[] = [];
  for (let label = 0; label < classes.length; label++) {
    await walk({ path: join(root, classes[label]), rel: classes[label] }, (path, rel, info) => {
      files.push({ rel, path, label, className: classes[label], size: Number(info.size), stamp: fileStamp(info) });
    }, (rel, reason) => skipped.push({ path: rel, reason }), new Set(excluded), (path) => notes.push(`${path} holds an earlier convert output (manifest.json): its files are not images of the class, left out`));
  }
  files.sort((a, b) => byCodePoint(a.rel, b.rel));
  return { root, classes, files, skipped, notes };
}

/**
 * A folder written by `pipeline convert`: our manifest.json (a damaged one beside shards too), the `_parts`
 * record of a run that did not finish, or (convert --split) sub-folders that are such outputs.
 */
async function isConvertOutput(dir: string, depth = 0): Promise<boolean> {
  if ((await stat(join(dir, PARTS_DIR)).catch(() => undefined))?.isDirectory()) return true;
  const read = await readManifest(dir).catch(() => undefined);
  if (read?.state === 'ours') return true;
  // A damaged manifest.json counts only beside shards (another tool's broken file is not ours).
  if (read === undefined && (await readdir(dir).catch(() => [] as string[])).some((n) => n.includes('.tfrecord'))) return true;
  if (depth > 0) return false;
  // A --split output: only folders (no images of its own), each a convert output.
  const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => !e.name.startsWith('.'));
  if (entries.length === 0 || entries.some((e) => !e.isDirectory())) return false;
  return (await Promise.all(entries.map((e) => isConvertOutput(join(dir, e.name), 1)))).every(Boolean);
}

/** Files stat'ed synchronously between two turns of the event loop (signals are still heard). */
const STATS_PER_TURN = 4096;
let statted = 0;

/**
 * A folder's files, depth first. `rel` is the path below the dataset root with "/" separators,
 * built along the way. Each file is stat'ed synchronously: from the page cache that costs about 2 us,
 * where an awaited stat costs about 20 us of CPU in promise and thread-pool hand-offs (a tenth of
 * a small image's whole conversion).
 */
async function walk(
  dir: { path: string; rel: string },
  onFile: (path: string, rel: string, info: BigIntStats) => void,
  onSkip: (rel: string, reason: string) => void,
  seen: Set<string>,
  onOutput?: (path: string) => void,
  nested = false,
): Promise<void> {
  const dirInfo = await stat(dir.path);
  // Also how excluded folders (the output) are never entered: they start in `seen`.
  const key = `${dirInfo.dev}:${dirInfo.ino}`;
  if (seen.has(key)) return; // a link loop
  seen.add(key);
  // An earlier convert output kept inside a class folder: its shards are not images of the class.
  if (nested && onOutput && (await isConvertOutput(dir.path, 1))) {
    onOutput(dir.path);
    return;
  }
  let entries;
  try {
    entries = await readdir(dir.path, { withFileTypes: true });
  } catch (error) {
    onSkip(dir.rel, `unreadable folder: ${(error as NodeJS.ErrnoException).code}`);
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    // Array joins (flat strings) for the same reason as in fileStamp. Not path.join: `dir.path` is
    // already normal and a name holds no separator, and path.join's normalisation per file was a
    // tenth of the scan's CPU and the biggest function the optimising compiler then compiled.
    const path = [dir.path, entry.name].join('/');
    const rel = [dir.rel, entry.name].join('/');
    if (entry.isDirectory()) {
      await walk({ path, rel }, onFile, onSkip, seen, onOutput, true);
      continue;
    }
    if (++statted % STATS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    let info;
    try {
      info = entry.isSymbolicLink() || entry.isFile() ? statSync(path, { bigint: true }) : lstatSync(path, { bigint: true });
    } catch {
      if (entry.isSymbolicLink()) onSkip(rel, 'dangling symbolic link');
      else onSkip(rel, 'vanished during the scan');
      continue;
    }
    // The type from the mode as a number: BigIntStats' isDirectory() and isFile() each make
    // BigInts per call, two calls a file.
    const type = Number(info.mode) & constants.S_IFMT;
    if (type === constants.S_IFDIR) await walk({ path, rel }, onFile, onSkip, seen, onOutput, true);
    else if (type === constants.S_IFREG) onFile(path, rel, info);
    else onSkip(rel, 'not a regular file');
  }
}

/**
 * Contiguous ranges of the sorted list (Spark's numSlices): partition i holds items
 * [floor(i*n/p), floor((i+1)*n/p)). The same input gives the same partitions on any worker count.
 */
export function partitionRanges(count: number, partitions: number): { start: number; end: number }[] {
  return Array.from({ length: partitions }, (_, i) => ({ start: Math.floor((i * count) / partitions), end: Math.floor(((i + 1) * count) / partitions) }));
}

/** About 1,000 records a shard; never derived from the worker count. */
export function defaultPartitions(count: number): number {
  return Math.ceil(count / 1000);
}
