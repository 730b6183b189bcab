/**
 * Finds the TFRecord files users have: a file, several files, globs, or folders whose files are
 * recognised by content (the framing of the first record), so TFDS names
 * (`name-train.tfrecord-00000-of-00016`), TF-slim's (`train-00000-of-01024`) and Kaggle's
 * (`*.tfrec`) work as well as `*.tfrecord`. Splits come from the names (TFDS, TF-slim) or from a
 * sub-folder named after the split (`pipeline convert --split`).
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { constants, gunzipSync, inflateSync } from 'node:zlib';
import { PipelineError } from '../errors.js';
import { FOLDER_SCAN_DEPTH } from '../options/scan.js';
import { MANIFEST_FILE } from '../run-folder/manifest.js';
import { HEADER_BYTES, readHeaderLength } from './framing.js';
import { isStorageUrl } from '../storage/url.js';
import { TEMPORARY } from '../output/temporary.js';

export const RECORD_FILE_PATTERN = /\.tfrecords?(\.gz|\.gzip|\.zlib)?$/i;
/** Names that say "TFRecord shard" by themselves: a file so named that is not one is an error, not skipped. */
const SHARD_NAME = [RECORD_FILE_PATTERN, /\.tfrec$/i, /\.tfrecords?-\d+-of-\d+(\.gz|\.zlib)?$/i, /^[A-Za-z_]+-\d{5}-of-\d{5}$/];
/** Files that sit beside shards and are never shards themselves: sidecars, and writers' temporary files. */
const SIDECAR_FILE = /\.(idx|index|json|txt|csv|md|html|arrow|png|svg|py|lock|log)$/i;
const isSidecar = (name: string): boolean => SIDECAR_FILE.test(name) || TEMPORARY.test(name);
const IMAGE_FILE = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;
const TFDS_NAME = /^.+-([A-Za-z][A-Za-z0-9_]*)\.tfrec(?:ord)?s?(?:-\d+-of-\d+)?(?:\.gz|\.zlib)?$/i;
const SLIM_NAME = /^([A-Za-z_]+)-\d{5}-of-\d{5}$/;

export interface RecordFileList {
  files: string[];
  /** Records per split name, when the names carry splits. */
  splits: Record<string, number>;
  notes: string[];
}

/** The split a shard's name declares, if any. */
export function splitOf(path: string): string | undefined {
  const name = basename(path);
  return TFDS_NAME.exec(name)?.[1] ?? SLIM_NAME.exec(name)?.[1];
}

/** A file, or the TFRecord files of a folder in sorted order (the name-only rule of earlier versions, kept for callers with plain folders). */
export async function listRecordFiles(target: string): Promise<string[]> {
  return (await findRecordFiles([target])).files;
}

/**
 * Every TFRecord file the targets name, in order: files as given (checked later, so a file that is
 * not a TFRecord is reported with its offset), folders by content, globs (`*`, `?`, `[...]` in any
 * part of the path) expanded. `split` keeps one split.
 */
export async function findRecordFiles(targets: readonly string[], options: { split?: string } = {}): Promise<RecordFileList> {
  if (targets.length === 0) throw new PipelineError('USAGE', 'expected a TFRecord file, folder or glob, got nothing');
  const notes: string[] = [];
  const found: string[] = [];
  for (const target of targets) {
    // s3:// and gs:// URLs: an object, or the shards below a prefix (src/storage/find-objects.ts).
    if (isStorageUrl(target)) {
      found.push(...(await (await import('../storage/find-objects.js')).findRecordObjects(target, { split: options.split })));
      continue;
    }
    const info = await stat(target).catch(() => undefined);
    if (!info && /[*?[]/.test(target)) {
      const matches = await expandGlob(target);
      if (matches.length === 0) throw new PipelineError('NOT_FOUND', `${target}: no file matches this pattern`, { path: target });
      for (const m of matches) found.push(...((await stat(m)).isDirectory() ? await shardsBelow(m, options.split, notes) : [m]));
      continue;
    }
    if (!info) throw new PipelineError('NOT_FOUND', `${target}: no such file or folder`, { path: target });
    // A device or a pipe (/dev/zero) has no size: read as a file it would look like an empty shard.
    if (!info.isFile() && !info.isDirectory()) throw new PipelineError('USAGE', `${target}: not a regular file (a device, pipe or socket); expected a TFRecord file, folder or glob`, { path: target });
    found.push(...(info.isDirectory() ? await shardsBelow(target, options.split, notes) : [target]));
  }
  let files = [...new Set(found)];
  const counts = (list: string[]) => {
    const out: Record<string, number> = {};
    for (const f of list) {
      const s = splitOf(f);
      if (s) out[s] = (out[s] ?? 0) + 1;
    }
    return out;
  };
  const splits = counts(files);
  if (options.split !== undefined) {
    const inSplit = files.filter((f) => splitOf(f) === options.split || f.split(sep).includes(options.split!));
    if (inSplit.length === 0) {
      const names = Object.keys(splits);
      throw new PipelineError('NOT_FOUND', `--split ${options.split}: no shards of that split in ${targets.join(' ')}; ${names.length ? `splits found: ${names.join(', ')}` : 'the shard names carry no split'}`);
    }
    files = inSplit;
  } else if (Object.keys(splits).length > 1) {
    notes.push(`the shards hold several splits (${Object.entries(splits).map(([s, n]) => `${s}: ${n} file(s)`).join(', ')}), all read; choose one with --split`);
  }
  if (files.length === 0) {
    // `convert --split` output: the shards are one level down, one folder per split.
    const subs = targets.length === 1 ? await splitFolders(targets[0]) : [];
    if (subs.length) throw new PipelineError('NOT_FOUND', `${targets[0]}: the shards are in one folder per split (${subs.join(', ')}): choose one with --split`, { path: targets[0] });
    throw new PipelineError('NOT_FOUND', `${targets.join(' ')}: no TFRecord files (checked each file's first record, in sub-folders too down to ${FOLDER_SCAN_DEPTH} levels)`, { path: targets[0] });
  }
  return { files, splits: counts(files), notes };
}

/** Sub-folders holding a convert manifest (the splits of `convert --split`). */
async function splitFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) if (e.isDirectory() && (await stat(join(dir, e.name, MANIFEST_FILE)).catch(() => undefined))) out.push(e.name);
  return out.sort();
}

/**
 * The folder's shards; when it has none, those of its sub-folders, down to FOLDER_SCAN_DEPTH
 * levels (TFDS keeps `<name>/<version>/`), said in a note. Not below a folder of `convert --split`
 * output (sub-folders with a manifest): those splits are chosen with --split.
 */
async function shardsBelow(dir: string, split: string | undefined, notes: string[]): Promise<string[]> {
  const own = await shardsInFolder(dir, split, notes);
  if (own.length > 0 || (await splitFolders(dir)).length > 0) return own;
  const found: string[] = [];
  let level = [dir];
  for (let depth = 1; depth <= FOLDER_SCAN_DEPTH && found.length === 0 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const parent of level) {
      const subs = (await readdir(parent, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => join(parent, e.name)).sort();
      next.push(...subs);
    }
    for (const sub of next) found.push(...(await shardsInFolder(sub, split, notes)));
    level = next;
  }
  if (found.length > 0) {
    const folders = [...new Set(found.map((f) => dirname(f)))];
    notes.push(`${dir}: no shards in the folder itself; ${found.length} found in ${folders.map((f) => relative(dir, f)).join(', ')} (sub-folders are searched ${FOLDER_SCAN_DEPTH} levels down)`);
  }
  return found;
}

/** Files that describe a dataset and sit beside its shards: read by inspect (src/tfrecord/tfds-info.ts), never shards. */
export const TFDS_SIDECARS = ['dataset_info.json', 'features.json'];

async function shardsInFolder(dir: string, split: string | undefined, notes: string[]): Promise<string[]> {
  // `pipeline convert --split` writes one folder per split.
  if (split !== undefined) {
    const sub = await stat(join(dir, split)).catch(() => undefined);
    if (sub?.isDirectory()) return shardsInFolder(join(dir, split), undefined, notes);
  }
  const all = await readdir(dir, { withFileTypes: true });
  const entries = all.filter((e) => !e.name.startsWith('.') && !isSidecar(e.name));
  // Indexes and convert's own files (manifest.json, labels.txt, skipped.csv) are expected beside shards: not worth a note.
  const expected = (name: string) => /\.idx$|^(manifest\.json|labels\.txt|skipped\.csv)$/.test(name) || TEMPORARY.test(name);
  const sidecars = all.filter((e) => e.isFile() && !e.name.startsWith('.') && isSidecar(e.name) && !expected(e.name)).map((e) => e.name).sort();
  const out: string[] = [];
  const rejected: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile());
    if (!isFile) continue;
    // An image file is never a shard: not opened, so a scan that descends into an image dataset's class folders stays cheap.
    if (!IMAGE_FILE.test(entry.name) && (SHARD_NAME.some((p) => p.test(entry.name)) || (await looksLikeRecords(path)))) out.push(path);
    else rejected.push(entry.name);
  }
  if (out.length > 0 && sidecars.length > 0) {
    const tfds = sidecars.filter((n) => TFDS_SIDECARS.includes(n));
    const others = sidecars.filter((n) => !TFDS_SIDECARS.includes(n));
    const list = (names: string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}`;
    notes.push(`${dir}: ${sidecars.length} sidecar file(s) are not shards${others.length ? `, left out (${list(others)})` : ''}${tfds.length ? `; TFDS's ${tfds.join(', ')} read for its split sizes and features` : ''}`);
  }
  if (out.length > 0 && rejected.length > 0) notes.push(`${dir}: ${rejected.length} file(s) that are not TFRecords left out (${rejected.slice(0, 3).join(', ')}${rejected.length > 3 ? ', ...' : ''})`);
  return out;
}

/** True when the file starts with a TFRecord header whose length CRC holds (after GZIP / ZLIB if compressed). */
export async function looksLikeRecords(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return headLooksLikeRecords(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function headLooksLikeRecords(head: Buffer): boolean {
  const plain = (b: Buffer) => b.length >= HEADER_BYTES && readHeaderLength(b, 0) >= 0;
  if (plain(head)) return true;
  // The first bytes of a compressed stream inflate without its end (a sync flush instead of a finish).
  const partial = { finishFlush: constants.Z_SYNC_FLUSH };
  try {
    if (head[0] === 0x1f && head[1] === 0x8b) return plain(gunzipSync(head, partial));
    if ((head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0) return plain(inflateSync(head, partial));
  } catch {
    return false;
  }
  return false;
}

/**
 * A glob's matches, files and folders, sorted; hidden names only where the pattern names them.
 * tinyglobby (picomatch) does the matching: a pattern is never turned into a RegExp here, so a
 * path such as `/tmp/x[1` is a pattern that matches nothing, not a SyntaxError.
 */
async function expandGlob(pattern: string): Promise<string[]> {
  // Loaded for a glob only: most runs name files or folders, and the matcher's modules cost start-up.
  const { glob } = await import('tinyglobby');
  const matches = await glob(resolve(pattern), { absolute: true, onlyFiles: false, expandDirectories: false, dot: false });
  return matches
    .map((m) => (m.length > 1 && m.endsWith(sep) ? m.slice(0, -1) : m))
    .filter((p) => !isSidecar(basename(p)))
    .sort();
}
