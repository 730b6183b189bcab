/**
 * TFRecord objects a URL names, for `inspect` and `speedtest --tfrecords`: the object itself, or
 * the shards right below a prefix. A prefix holding our `manifest.json` gives exactly the shards it
 * lists (the manifest is the truth, as for folders); a convert run that did not finish (part
 * records, no manifest) is refused. Other prefixes: objects whose names say "TFRecord shard" (a
 * bucket is not read object by object to guess).
 */
import { PipelineError } from '../errors.js';
import { PARTS_DIR } from '../run-folder/manifest.js';
import { openUrl, type StorageConfig } from './object-store.js';
import { folderPrefix } from './url.js';

const SHARD_NAME = [/\.tfrecords?(\.gz|\.gzip|\.zlib)?$/i, /\.tfrec$/i, /\.tfrecords?-\d+-of-\d+(\.gz|\.zlib)?$/i, /^[A-Za-z_]+-\d{5}-of-\d{5}$/];

export async function findRecordObjects(url: string, options: { split?: string; storage?: StorageConfig } = {}): Promise<string[]> {
  const { store, key } = openUrl(url, options.storage);
  if (key !== '' && !key.endsWith('/')) {
    const object = await store.head(key);
    if (object) return [url];
  }
  let prefix = folderPrefix(key);
  // `convert --split` output: one prefix per split.
  if (options.split !== undefined && (await store.head(`${prefix}${options.split}/manifest.json`))) prefix = `${prefix}${options.split}/`;
  const manifestText = await store.getText(prefix + 'manifest.json');
  if (manifestText !== undefined) {
    let manifest: { tool?: { name?: string }; shards?: { file?: unknown }[] } | undefined;
    try {
      manifest = JSON.parse(manifestText);
    } catch {
      throw new PipelineError('DATA', `${store.url(prefix + 'manifest.json')}: not valid JSON`, { path: store.url(prefix + 'manifest.json') });
    }
    if (manifest?.tool?.name === 'pipeline' && Array.isArray(manifest.shards)) {
      return manifest.shards.map((s) => s.file).filter((f): f is string => typeof f === 'string' && !f.includes('/')).map((f) => store.url(prefix + f));
    }
  }
  const found: string[] = [];
  let parts = false;
  for await (const o of store.list(prefix, { delimiter: '/' })) {
    const name = o.key.slice(prefix.length);
    if (name.startsWith('.')) continue;
    if (SHARD_NAME.some((p) => p.test(name))) found.push(store.url(o.key));
  }
  for await (const _ of store.list(`${prefix}${PARTS_DIR}/`, { pageSize: 1 })) {
    parts = true;
    break;
  }
  if (parts) throw new PipelineError('DATA', `${store.url(prefix)}: a convert run that did not finish (no manifest.json, its _parts records are there); rerun convert with --resume`, { path: store.url(prefix) });
  if (found.length === 0) {
    await store.checkBucket();
    throw new PipelineError('NOT_FOUND', `${url}: no TFRecord objects (names ending in .tfrecord, .tfrec, or -00000-of-00016)`, { path: url });
  }
  return found;
}
