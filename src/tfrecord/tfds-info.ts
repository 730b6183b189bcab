/**
 * TFDS's sidecars beside its shards: `dataset_info.json` (each split's shard lengths, in records)
 * and `features.json` (the feature spec). Reading them lets inspect check what it read against
 * what TFDS wrote: a split whose shards hold another number of records than its shard lengths say
 * is a lost or truncated shard.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { splitOf } from './files.js';

export interface TfdsInfo {
  /** The dataset_info.json path. */
  path: string;
  /** Records per shard of each split, in shard order. */
  splits: Record<string, number[]>;
  /** Top-level features of features.json and their TFDS type (`Image`, `ClassLabel`, ...), when it is there. */
  features?: Record<string, string>;
}

/** The dataset_info.json of `dir` (and its features.json), or undefined when it has none; a file that does not parse is an Error. */
export async function readTfdsInfo(dir: string): Promise<TfdsInfo | Error | undefined> {
  const path = join(dir, 'dataset_info.json');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let json: { splits?: { name?: unknown; shardLengths?: unknown[] }[] };
  try {
    json = JSON.parse(text);
  } catch (error) {
    return new Error(`${path}: not JSON (${(error as Error).message}); its split sizes are not checked`);
  }
  const splits: Record<string, number[]> = {};
  for (const s of Array.isArray(json.splits) ? json.splits : []) {
    // TFDS writes int64 as strings in JSON ("shardLengths": ["60000"]).
    if (typeof s?.name === 'string' && Array.isArray(s.shardLengths)) splits[s.name] = s.shardLengths.map(Number);
  }
  const info: TfdsInfo = { path, splits };
  const features = await readFile(join(dir, 'features.json'), 'utf8').then((t) => featureTypes(JSON.parse(t)), () => undefined);
  if (features) info.features = features;
  return info;
}

/** `{"type": "...features_dict.FeaturesDict", "content": {"features": {"image": {"type": "...Image"}}}}` to `{image: "Image"}`. */
function featureTypes(json: unknown): Record<string, string> | undefined {
  const features = (json as { content?: { features?: Record<string, { type?: unknown }> } })?.content?.features;
  if (!features || typeof features !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [key, f] of Object.entries(features)) out[key] = typeof f?.type === 'string' ? f.type.split('.').pop()! : 'unknown';
  return out;
}

export interface SplitCheck {
  split: string;
  expected: number;
  read: number;
  /** The shards (by their `-0000N-of-` number) holding other than their length, or missing (read 0). */
  wrongShards: { shard: number; file: string | null; expected: number; read: number }[];
}

const SHARD_NUMBER = /-(\d+)-of-\d+(?:\.gz|\.zlib)?$/;

/**
 * Each split read from the folder against its shard lengths: pure. `records` holds the record
 * count of each file read (files of other folders are ignored); a split none of whose shards was
 * read (left out with --split) is not checked.
 */
export function checkSplits(info: TfdsInfo, records: ReadonlyMap<string, number>): SplitCheck[] {
  const dir = dirname(info.path);
  const read: Record<string, number> = {};
  const byShard: Record<string, Map<number, [string, number]>> = {};
  for (const [file, n] of records) {
    const split = dirname(file) === dir ? splitOf(basename(file)) : undefined;
    if (split === undefined) continue;
    read[split] = (read[split] ?? 0) + n;
    const shard = SHARD_NUMBER.exec(basename(file))?.[1];
    if (shard !== undefined) (byShard[split] ??= new Map()).set(Number(shard), [file, n]);
  }
  return Object.entries(read)
    .filter(([split]) => info.splits[split] !== undefined)
    .map(([split, n]) => {
      const lengths = info.splits[split]!;
      const shards = byShard[split] ?? new Map<number, [string, number]>();
      const wrongShards = lengths
        .map((expected, shard) => ({ shard, file: shards.get(shard)?.[0] ?? null, expected, read: shards.get(shard)?.[1] ?? 0 }))
        .filter((s) => s.read !== s.expected);
      return { split, expected: lengths.reduce((a, b) => a + b, 0), read: n, wrongShards };
    });
}

/** A split that disagrees with its dataset_info.json, in the shape of a record problem. */
export interface SidecarProblem {
  file: string;
  offset: number;
  record: number;
  error: string;
}

/**
 * The dataset_info.json of every folder the files come from, checked: each split read must hold
 * the records its shard lengths say (else an error, as a record problem naming the
 * dataset_info.json: a shard lost or cut short); features.json's features are noted, with any the
 * records (`features`: the keys read) do not hold.
 */
export async function checkTfdsSidecars(
  records: ReadonlyMap<string, number>,
  features: Readonly<Record<string, unknown>>,
): Promise<{ errors: SidecarProblem[]; notes: string[] }> {
  const errors: SidecarProblem[] = [];
  const notes: string[] = [];
  for (const dir of new Set([...records.keys()].map((f) => dirname(f)))) {
    const info = await readTfdsInfo(dir);
    if (info === undefined) continue;
    if (info instanceof Error) {
      notes.push(info.message);
      continue;
    }
    const checks = checkSplits(info, records);
    for (const c of checks) {
      if (c.read === c.expected) continue;
      const which = c.wrongShards.slice(0, 3).map((w) => (w.file ? `${basename(w.file)} holds ${w.read}, ${w.expected} said` : `shard ${w.shard} missing (${w.expected} records)`));
      errors.push({ file: info.path, offset: 0, record: 0, error: `split "${c.split}": its shard lengths say ${c.expected} records, its shards hold ${c.read}${which.length ? ` (${which.join('; ')}${c.wrongShards.length > 3 ? '; ...' : ''})` : ''}` });
    }
    const agreed = checks.filter((c) => c.read === c.expected);
    if (agreed.length) notes.push(`${info.path}: split sizes checked, as read: ${agreed.map((c) => `${c.split} ${c.read}`).join(', ')}`);
    if (info.features) {
      const missing = Object.keys(info.features).filter((k) => features[k] === undefined);
      notes.push(`${join(dir, 'features.json')}: ${Object.entries(info.features).map(([k, t]) => `${k} (${t})`).join(', ')}${missing.length ? `; not in the records: ${missing.join(', ')} (TFDS may store a feature under nested keys)` : ''}`);
    }
  }
  return { errors, notes };
}
