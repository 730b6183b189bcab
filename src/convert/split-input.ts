/**
 * `convert --split` for any input and output: the input listed once (a folder, an image list or a
 * bucket prefix), and where each split goes (`out/<split>` as a folder, or `<url>/<split>/` as a
 * prefix, each then an ordinary convert of its own: a bucket split is judged, locked and committed
 * by its own manifest, as a local split folder is).
 */
import { join } from 'node:path';
import { readImageList } from '../dataset/image-list.js';
import { scanDataset, type Dataset } from '../dataset/scan.js';
import { isStorageUrl } from '../storage/url.js';

/** The bucket lister, and the AWS SDK under it, loaded only for a bucket input. */
const scanBucket: typeof import('../dataset/scan-bucket.js').scanBucket = async (...args) => (await import('../dataset/scan-bucket.js')).scanBucket(...args);

/** The folder or prefix URL of one split: `path.join` would fold the `//` of `s3://`. */
export function splitOut(out: string, split: string): string {
  return isStorageUrl(out) ? `${out.replace(/\/+$/, '')}/${split}` : join(out, split);
}

/** Every input image once, the output never read as input (a bucket prefix under the input one is left out). */
export async function listSplitInput(input: string, out: string, list: boolean, options: { endpoint?: string; allowOutside?: boolean }): Promise<Dataset> {
  if (isStorageUrl(input)) return scanBucket(input, { exclude: isStorageUrl(out) ? out : undefined, storage: { endpoint: options.endpoint } });
  if (list) return readImageList(input, { allowOutside: options.allowOutside });
  return scanDataset(input, { exclude: isStorageUrl(out) ? [] : [out] });
}
