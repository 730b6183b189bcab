/**
 * An image dataset given as a list, as many datasets ship: CSV (`path,label`, with or without a
 * header) or JSON Lines (`{"path": ..., "label": ...}`). Paths are relative to the list's folder;
 * labels are class names (ids given to the sorted names, as for class folders) or integer ids
 * (kept as they are). A listed file that is missing is skipped with its reason, as a corrupt image is.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { PipelineError } from '../errors.js';
import { byCodePoint, fileStamp, NOT_IN_A_LINE, type Dataset, type DatasetFile, type Skip } from './scan.js';
import { isStorageUrl } from '../storage/url.js';
import type { ObjectInfo } from '../storage/object-store.js';

/** HEAD of each URL (32 in flight): size and ETag, absent when the object is not there. */
async function headObjects(urls: string[]): Promise<Map<string, ObjectInfo>> {
  const found = new Map<string, ObjectInfo>();
  // Loaded only for a list that names objects: the AWS SDK costs about 0.15 s of CPU to load.
  const { openUrl } = await import('../storage/object-store.js');
  for (let i = 0; i < urls.length; i += 32) {
    await Promise.all(urls.slice(i, i + 32).map(async (url) => {
      const { store, key } = openUrl(url);
      const head = await store.head(key);
      if (head) found.set(url, head);
    }));
  }
  return found;
}

const PATH_KEYS = ['path', 'file', 'filename', 'file_name', 'image', 'image_path', 'filepath'];
const LABEL_KEYS = ['label', 'class', 'category', 'target', 'label_id', 'class_id', 'y'];

/** The largest integer label read as a class id (labels.txt gets one line per id up to it). */
const MAX_CLASS_ID = 100_000;

export interface ListEntry {
  path: string;
  label: string;
  /** 1-based line of the list, for messages. */
  line: number;
  /** A CSV's first row when its names were not recognised as a header: it may be one all the same. */
  unnamedHeader?: boolean;
}

/** True for a file the convert command reads as a list (by suffix: .csv, .jsonl, .ndjson, .json). */
export function isImageList(path: string): boolean {
  return /\.(csv|tsv|jsonl|ndjson|json)$/i.test(path);
}

export interface ImageListOptions {
  /** Read lines naming files outside the list's folder (absolute paths, `..`): refused otherwise. */
  allowOutside?: boolean;
}

export async function readImageList(listPath: string, options: ImageListOptions = {}): Promise<Dataset> {
  const text = await readFile(listPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new PipelineError('NOT_FOUND', `${listPath}: cannot read the image list (${error.code})`, { path: listPath });
  });
  const entries = /\.(jsonl|ndjson|json)$/i.test(listPath) ? parseJsonLines(text, listPath) : parseCsvList(text, listPath);
  if (entries.length === 0) throw new PipelineError('DATA', `${listPath}: the list names no images`, { path: listPath });
  const root = dirname(listPath);
  // A header with other column names (file_path,species) must not become an image and a class
  // (its class would shift every label id after it): a first row that names no file is a header.
  const first = entries[0];
  if (
    first.unnamedHeader &&
    entries.length > 1 &&
    !isStorageUrl(first.path) &&
    !(await stat(isAbsolute(first.path) ? first.path : join(root, first.path)).catch(() => undefined))
  )
    entries.shift();

  // Integer labels are ids as given; anything else is a class name. A list of integers with one
  // out of range (-1, a huge number) is a broken list, not a list of class names: read as names,
  // "0" would become class 1 with no word said.
  const ids = entries.every((e) => /^[+-]?\d+$/.test(e.label));
  let classes: string[];
  const labelOf = new Map<string, number>();
  if (ids) {
    const wrong = entries.find((e) => !(Number(e.label) >= 0 && Number(e.label) <= MAX_CLASS_ID));
    if (wrong) throw new PipelineError('DATA', `${listPath}: line ${wrong.line}: label ${wrong.label}: expected a class id from 0 to ${MAX_CLASS_ID} (the list's labels are integer ids)`, { path: listPath });
    const max = Math.max(...entries.map((e) => Number(e.label)));
    classes = Array.from({ length: max + 1 }, (_, i) => String(i));
    classes.forEach((c, i) => labelOf.set(c, i));
    for (const e of entries) e.label = String(Number(e.label));
  } else {
    classes = [...new Set(entries.map((e) => e.label))].sort(byCodePoint);
    const bad = classes.find((c) => NOT_IN_A_LINE.test(c) || c === '');
    if (bad !== undefined) throw new PipelineError('DATA', `${listPath}: a label holding a control character, a line separator or nothing (${JSON.stringify(bad)}) cannot be one line of labels.txt`, { path: listPath });
    classes.forEach((c, i) => labelOf.set(c, i));
  }

  if (!options.allowOutside) refuseOutside(listPath, root, entries);

  const files: DatasetFile[] = [];
  const skipped: Skip[] = [];
  const seen = new Set<string>();
  // Entries that are s3:// / gs:// URLs: their size and ETag by HEAD, a few dozen in flight.
  const objects = await headObjects(entries.map((e) => e.path).filter(isStorageUrl));
  for (const e of entries) {
    if (isStorageUrl(e.path)) {
      // The URL is the record's `filename`: it names the image wherever the list is.
      if (seen.has(e.path)) {
        skipped.push({ path: e.path, reason: `listed twice (line ${e.line})` });
        continue;
      }
      seen.add(e.path);
      const head = objects.get(e.path);
      if (!head) skipped.push({ path: e.path, reason: `missing (listed on line ${e.line})` });
      else files.push({ rel: e.path, path: e.path, label: labelOf.get(e.label)!, className: e.label, size: head.size, stamp: `${head.size}:${head.etag ?? ''}` });
      continue;
    }
    const path = isAbsolute(e.path) ? e.path : join(root, e.path);
    const rel = relative(root, path).split(sep).join('/');
    if (seen.has(rel)) {
      skipped.push({ path: rel, reason: `listed twice (line ${e.line})` });
      continue;
    }
    seen.add(rel);
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    if (!info?.isFile()) {
      skipped.push({ path: rel, reason: info ? 'not a regular file' : `missing (listed on line ${e.line})` });
      continue;
    }
    files.push({ rel, path, label: labelOf.get(e.label)!, className: e.label, size: Number(info.size), stamp: fileStamp(info) });
  }
  files.sort((a, b) => byCodePoint(a.rel, b.rel));
  return { root, classes, files, skipped };
}

/**
 * A list is data, often from elsewhere: a line such as ../../../../etc/passwd must not make
 * convert read (and store) a file the list's folder does not hold, unless the user says so
 * (--allow-outside): exit 2 naming the first such line.
 */
function refuseOutside(listPath: string, root: string, entries: readonly { path: string; line: number }[]): void {
  const outside = entries.filter((e) => isOutside(root, e.path));
  if (outside.length) {
    const first = outside[0];
    throw new PipelineError('USAGE', `${listPath}: line ${first.line}: ${JSON.stringify(first.path)} is outside the list's folder ${root}${outside.length > 1 ? ` (${outside.length} lines are)` : ''}; add --allow-outside to read files outside it`, { path: listPath });
  }
}

/** True when the listed path leaves `root` (by its spelling: `..` parts or an absolute path elsewhere). */
function isOutside(root: string, listed: string): boolean {
  const rel = relative(root, isAbsolute(listed) ? listed : join(root, listed));
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function parseJsonLines(text: string, listPath: string): ListEntry[] {
  const out: ListEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch {
      throw new PipelineError('DATA', `${listPath}: line ${i + 1}: expected a JSON object such as {"path": "a/1.jpg", "label": "cat"}, got ${JSON.stringify(line.slice(0, 60))}`, { path: listPath });
    }
    const path = PATH_KEYS.map((k) => row?.[k]).find((v) => typeof v === 'string');
    const label = LABEL_KEYS.map((k) => row?.[k]).find((v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)));
    if (path === undefined || label === undefined) throw new PipelineError('DATA', `${listPath}: line ${i + 1}: expected a path (${PATH_KEYS.join('/')}) and a label (${LABEL_KEYS.join('/')}), got ${JSON.stringify(line.slice(0, 80))}`, { path: listPath });
    out.push({ path: path as string, label: String(label), line: i + 1 });
  });
  return out;
}

/** CSV (RFC 4180 quoting) or TSV; a first row naming a path and a label column is a header. */
function parseCsvList(text: string, listPath: string): ListEntry[] {
  const rows = parseDelimited(text, /\.tsv$/i.test(listPath) ? '\t' : ',', listPath);
  if (rows.length === 0) return [];
  let pathCol = 0;
  let labelCol = 1;
  let start = 0;
  const header = rows[0].row.map((h) => h.trim().toLowerCase());
  const p = header.findIndex((h) => PATH_KEYS.includes(h));
  const l = header.findIndex((h) => LABEL_KEYS.includes(h));
  if (p >= 0 && l >= 0) {
    [pathCol, labelCol, start] = [p, l, 1];
  }
  return rows.slice(start).map(({ row, line }, i) => {
    if (row.length <= Math.max(pathCol, labelCol) || !row[pathCol].trim()) {
      throw new PipelineError('DATA', `${listPath}: line ${line}: expected path,label, got ${JSON.stringify(row.join(','))}`, { path: listPath });
    }
    return { path: row[pathCol].trim(), label: row[labelCol].trim(), line, ...(start === 0 && i === 0 ? { unnamedHeader: true } : {}) };
  });
}

/**
 * csv-parse, loaded when a list is read (its one-file CommonJS build: one module, where its ES
 * build is nine), not by every convert whose driver imports this file for `isImageList`.
 */
const csvParse = () => (createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync')).parse;

/**
 * Rows of fields, each trimmed, with the line each row starts on (csv-parse: RFC 4180 quoting, so
 * quoted fields may hold the delimiter, quotes ("") and newlines; any line ending). Blank lines are
 * skipped; broken quoting is exit 3 naming the list.
 */
export function parseDelimited(text: string, delimiter: string, listPath: string): { row: string[]; line: number }[] {
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = csvParse()(text, { delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, relax_quotes: true, trim: true, raw: true, info: true });
  } catch (error) {
    throw new PipelineError('DATA', `${listPath}: not a valid ${delimiter === '\t' ? 'TSV' : 'CSV'} list (${(error as Error).message})`, { path: listPath });
  }
  const lineBreaks = (raw: string) => raw.replace(/(\r\n|\n|\r)$/, '').match(/\r\n|\n|\r/g)?.length ?? 0;
  // info.lines is the line a record ends on: a quoted field with newlines started lines before.
  return records.filter(({ record }) => record.length > 1 || record[0] !== '').map(({ record, info, raw }) => ({ row: record, line: info.lines - lineBreaks(raw) }));
}
