/**
 * Object-storage locations: `s3://bucket/prefix` and `gs://bucket/prefix` (Cloud Storage through
 * its S3-compatible XML API, same client). Pure: no I/O here.
 */
import { PipelineError } from '../errors.js';

export type StorageScheme = 's3' | 'gs';

export interface StorageUrl {
  scheme: StorageScheme;
  bucket: string;
  /** The key prefix, without a leading "/"; "" for the whole bucket. A folder's prefix ends in "/" once joined. */
  key: string;
}

const URL_FORM = /^(s3|gs):\/\/([^/]*)(?:\/(.*))?$/s;

/** True for `s3://...` and `gs://...`: everywhere a path goes, these name objects instead. */
export function isStorageUrl(value: string | undefined): value is string {
  return typeof value === 'string' && /^(s3|gs):\/\//i.test(value);
}

/** `s3://bucket/a/b` -> {scheme, bucket, key: 'a/b'}; exit 2 on a malformed URL (no bucket, a bad name). */
export function parseStorageUrl(value: string): StorageUrl {
  const m = URL_FORM.exec(value.replace(/^(s3|gs):/i, (s) => s.toLowerCase()));
  if (!m) throw new PipelineError('USAGE', `expected a URL such as s3://bucket/prefix or gs://bucket/prefix, got ${JSON.stringify(value)}`);
  const [, scheme, bucket, key = ''] = m;
  // S3 and Cloud Storage bucket names: 3-63 (222 with dots on GCS) of a-z 0-9 . - _, starting and ending alphanumeric.
  if (!/^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/.test(bucket)) throw new PipelineError('USAGE', `${value}: expected a bucket name (3-63 lower-case letters, digits, dots, hyphens) after ${scheme}://, got ${JSON.stringify(bucket)}`);
  return { scheme: scheme as StorageScheme, bucket, key };
}

export function formatStorageUrl(url: StorageUrl, key = url.key): string {
  return `${url.scheme}://${url.bucket}/${key}`;
}

/** The prefix of a "folder": its key with one trailing "/" ("" for the bucket's root). */
export function folderPrefix(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** `joinKey('a/b', 'c.txt')` -> `a/b/c.txt`; the URL's own key is a folder. */
export function joinKey(folder: string, name: string): string {
  return folderPrefix(folder) + name;
}

/** A URL below `url` treated as a folder: `childUrl('s3://b/out', 'part-0.tfrecord')`. */
export function childUrl(url: string, name: string): string {
  const parsed = parseStorageUrl(url);
  return formatStorageUrl(parsed, joinKey(parsed.key, name));
}

/** True when `inner` is `outer` or below it (both URLs, as folders). */
export function isUnder(inner: string, outer: string): boolean {
  const a = parseStorageUrl(inner);
  const b = parseStorageUrl(outer);
  return a.scheme === b.scheme && a.bucket === b.bucket && folderPrefix(a.key).startsWith(folderPrefix(b.key));
}
