/**
 * Small text files beside shards (`.idx`) read from a folder or a bucket alike, so the checks made
 * of them (`inspect --verify`, the reader's index note) hold on `s3://` / `gs://` too.
 */
import { readFile, stat } from 'node:fs/promises';
import { isStorageUrl } from './url.js';

/** The object store (and the AWS SDK under it) is loaded only for a URL: local reads never load it. */
const openUrl = async (url: string) => (await import('./object-store.js')).openUrl(url);

/** The file's or object's text; a missing one rejects with code ENOENT, as readFile does. */
export async function readTextAt(path: string): Promise<string> {
  if (!isStorageUrl(path)) return readFile(path, 'utf8');
  const { store, key } = await openUrl(path);
  const text = await store.getText(key);
  if (text === undefined) throw Object.assign(new Error(`${path}: no such object`), { code: 'ENOENT' });
  return text;
}

/** True when a regular file or an object is at `path`. */
export async function existsAt(path: string): Promise<boolean> {
  if (!isStorageUrl(path)) return (await stat(path).catch(() => undefined))?.isFile() ?? false;
  const { store, key } = await openUrl(path);
  return (await store.head(key)) !== undefined;
}
