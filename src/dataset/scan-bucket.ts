/**
 * Lists an image dataset in a bucket: the "folders" right below the URL's prefix are the classes
 * (label ids in code-point order, as for local folders), every object below a class prefix is an
 * input (recognised later by content). Keys with a segment starting with "." are ignored, as dot
 * files are locally, so a dataset copied from disk to a bucket gives the same records.
 */
import { PipelineError } from '../errors.js';
import { byCodePoint, type Dataset, type DatasetFile } from './scan.js';
import { openUrl, type StorageConfig } from '../storage/object-store.js';
import { folderPrefix, parseStorageUrl } from '../storage/url.js';

const CONTROL = /[\u0000-\u001f\u007f]/;

export interface BucketScanOptions {
  /** An output URL never listed as input (its prefix is skipped). */
  exclude?: string;
  storage?: StorageConfig;
}

export async function scanBucket(url: string, options: BucketScanOptions = {}): Promise<Dataset> {
  const { store, key } = openUrl(url, options.storage);
  await store.checkBucket();
  const root = folderPrefix(key);
  const excluded = options.exclude ? excludedPrefix(url, options.exclude) : undefined;
  const classes: string[] = [];
  for (const prefix of await store.folders(root)) {
    const name = prefix.slice(root.length, -1);
    if (name.startsWith('.') || name === '' || (excluded !== undefined && excluded.startsWith(prefix) && excluded.length === prefix.length)) continue;
    if (CONTROL.test(name)) throw new PipelineError('USAGE', `${store.url(prefix)}: a class prefix whose name holds a control character (${JSON.stringify(name)}) cannot be one line of labels.txt; rename it`, { path: store.url(prefix) });
    classes.push(name);
  }
  classes.sort(byCodePoint);
  if (classes.length === 0) throw new PipelineError('DATA', `${url}: expected one prefix per class (s3://bucket/prefix/<class>/<image>), found none`, { path: url });
  const files: DatasetFile[] = [];
  for (let label = 0; label < classes.length; label++) {
    const classPrefix = `${root}${classes[label]}/`;
    for await (const object of store.list(classPrefix)) {
      const rel = object.key.slice(root.length);
      if (object.key.endsWith('/') || rel.split('/').some((part) => part.startsWith('.'))) continue;
      if (excluded !== undefined && object.key.startsWith(excluded)) continue;
      // ETag and size: what --resume compares to tell an unchanged input (an overwrite changes the ETag).
      files.push({ rel, path: store.url(object.key), label, className: classes[label], size: object.size, stamp: `${object.size}:${object.etag ?? ''}` });
    }
  }
  files.sort((a, b) => byCodePoint(a.rel, b.rel));
  if (files.length === 0) throw new PipelineError('DATA', `${url}: the class prefixes (${classes.slice(0, 3).join(', ')}${classes.length > 3 ? ', ...' : ''}) hold no objects: no images to convert`, { path: url });
  return { root: url, classes, files, skipped: [] };
}

/** The output's prefix when it is in the same bucket below the input: never read as input. */
function excludedPrefix(input: string, out: string): string | undefined {
  if (!/^(s3|gs):\/\//.test(out)) return undefined;
  const a = parseStorageUrl(input);
  const b = parseStorageUrl(out);
  return a.scheme === b.scheme && a.bucket === b.bucket ? folderPrefix(b.key) : undefined;
}
