/** Test helpers for buckets: upload a local folder, read a prefix's objects. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Gateway } from './gateway.js';

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Every file below `dir` as `prefix + relative path` (dot files too: the scan must skip them itself). */
export async function uploadFolder(gateway: Gateway, bucket: string, dir: string, prefix: string): Promise<number> {
  const files = await walk(dir);
  await Promise.all(files.map(async (f) => gateway.client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + relative(dir, f).split(sep).join('/'), Body: await readFile(f) }))));
  return files.length;
}

/** Keys under a prefix (relative to it), sorted. */
export async function listKeys(gateway: Gateway, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await gateway.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!.slice(prefix.length));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function getObject(gateway: Gateway, bucket: string, key: string): Promise<Buffer> {
  const r = await gateway.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}
