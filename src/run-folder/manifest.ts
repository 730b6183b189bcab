/**
 * `manifest.json`, a convert output's record of itself: declared once here (a zod schema from which
 * the types come) and read only through `readManifest`. Every reader (inspect, speedtest, convert
 * --resume, the output-folder rules) gets the same answer: no manifest, a manifest of ours, a
 * manifest of another tool, or a damaged one (exit 3 naming it).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PipelineError } from '../errors.js';
import { writeJsonAtomic } from '../output/atomic.js';

import { MANIFEST_FILE, PARTS_DIR } from './convert-files.js';

export { MANIFEST_FILE, PARTS_DIR };

const count = z.number().int().nonnegative();
/** A file of the output folder: a plain name, never a path that leaves it. */
const ownFile = z.string().min(1).refine((f) => !f.includes('/') && !f.includes('\\') && f !== '.' && f !== '..', 'expected a file name in the output folder');

export const skipSchema = z.object({ path: z.string(), reason: z.string() });

export const shardEntrySchema = z.object({
  partition: count,
  file: ownFile,
  index: ownFile,
  records: count,
  /** Uncompressed stream bytes. */
  bytes: count,
  fileBytes: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits'),
  /** Input files and options this shard was made from; resume redoes a shard whose input changed. */
  fingerprint: z.string(),
  skipped: z.array(skipSchema),
});

export const manifestSchema = z.object({
  tool: z.object({ name: z.literal('pipeline'), version: z.string() }),
  options: z.record(z.unknown()),
  classes: z.array(z.string()),
  /** Each shard with the inputs it skipped, so `--resume` can keep it and still report them. */
  shards: z.array(shardEntrySchema),
  totals: z.object({ images: count, records: count, skipped: count, bytes: count, fileBytes: count }),
  skipped: count,
});

export type ShardEntry = z.infer<typeof shardEntrySchema>;
export type Manifest = z.infer<typeof manifestSchema>;

/** What a folder's manifest.json is. `foreign`: JSON that is not ours (another tool's file of that name). */
export type ManifestRead = { state: 'missing' } | { state: 'foreign' } | { state: 'ours'; manifest: Manifest };

/**
 * The manifest of `dir`, validated. Missing: `{state: 'missing'}`; JSON that does not say it is
 * ours (`tool.name` other than "pipeline"): `foreign`. Unreadable (EACCES and such: said as such),
 * not JSON, or ours but not of the schema: exit 3 naming the file.
 *
 * @example const read = await readManifest(out); if (read.state === 'ours') read.manifest.shards
 */
export async function readManifest(dir: string): Promise<ManifestRead> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'missing' };
    throw new PipelineError('DATA', `${path}: cannot read the manifest (${code ?? (error as Error).message})`, { path, cause: error });
  }
  return parseManifest(text, path);
}

/**
 * A manifest's text (read from a folder or an object store) judged as `readManifest` does; `path`
 * names it in errors.
 */
export function parseManifest(text: string, path: string): Exclude<ManifestRead, { state: 'missing' }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw damagedManifest(path, `not valid JSON (${(error as Error).message})`);
  }
  const tool = (json as { tool?: { name?: unknown } } | null)?.tool;
  if (tool?.name !== 'pipeline') return { state: 'foreign' };
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw damagedManifest(path, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return { state: 'ours', manifest: parsed.data };
}

/** Writes the manifest (temporary name, fsync, rename): a folder's manifest is always whole. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeJsonAtomic(join(dir, MANIFEST_FILE), manifest);
}

/** The manifest when it is ours, else undefined (missing or another tool's). A damaged one throws. */
export async function ourManifest(dir: string): Promise<Manifest | undefined> {
  const read = await readManifest(dir);
  return read.state === 'ours' ? read.manifest : undefined;
}

function damagedManifest(path: string, what: string): PipelineError {
  return new PipelineError('DATA', `${path}: damaged manifest, ${what}; rerun pipeline convert with --resume (or --overwrite)`, { path });
}

/** A file's SHA-256 in hex, as the manifest records each shard's. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk);
  return hash.digest('hex');
}
