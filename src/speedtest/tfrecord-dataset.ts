/**
 * Opens a TFRecord dataset for the speed test, whoever wrote it: its files (src/tfrecord/files.ts),
 * each file's record count (from its .idx only when the index matches the file, else counted),
 * and the keys of the image, label and size (src/tfrecord/keys.ts) from the first records.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { PipelineError } from '../errors.js';
import { detectCompression } from '../tfrecord/compression.js';
import { decodeAnyExample, decodeSequenceExample, type AnyExample } from '../tfrecord/example.js';
import { findRecordFiles } from '../tfrecord/files.js';
import { selectByManifests, shardCountMismatch, unlistedNote } from '../tfrecord/manifest-files.js';
import type { ShardEntry } from '../run-folder/manifest.js';
import { detectKeysIn, type DetectedKeys, type KeyOptions } from '../tfrecord/keys.js';
import { readRecords, type RecordProblem } from '../tfrecord/reader.js';
import { indexMismatch, indexPathFor, readIndex } from '../tfrecord/record-index.js';
import { checkSplits, readTfdsInfo } from '../tfrecord/tfds-info.js';
import type { Shard } from './sources.js';
import { isStorageUrl } from '../storage/url.js';
import { openUrl } from '../storage/object-store.js';
import { compressionFromName } from '../tfrecord/compression.js';
import { parseIndex, type IndexEntry } from '../tfrecord/record-index.js';

/** A shard object's index object (one GET) and size (one HEAD): records counted without reading the shard. */
async function objectIndex(path: string, indexPath: string): Promise<{ index?: IndexEntry[]; size: number; compressed: boolean }> {
  const shard = openUrl(path);
  const index = openUrl(indexPath);
  const [text, head] = await Promise.all([index.store.getText(index.key), shard.store.head(shard.key)]);
  if (!head) throw new PipelineError('NOT_FOUND', `${path}: no such object`, { path });
  let entries: IndexEntry[] | undefined;
  try {
    entries = text === undefined ? undefined : parseIndex(text, indexPath);
  } catch {
    entries = undefined;
  }
  return { index: entries, size: head.size, compressed: compressionFromName(path) !== undefined };
}

export interface TfrecordDataset {
  shards: Shard[];
  keys: DetectedKeys;
  splits: Record<string, number>;
  notes: string[];
}

/** Records parsed to detect the keys: enough to see a mixed dataset, few enough to cost nothing. */
const SAMPLE = 32;

export async function openTfrecordDataset(targets: readonly string[], options: KeyOptions & { split?: string } = {}): Promise<TfrecordDataset> {
  const found = await findRecordFiles(targets, { split: options.split });
  const notes = [...found.notes];
  // A converted folder's shards are the ones its manifest lists; others are reported, not read.
  const { files, unlisted, missing, expected } = await selectByManifests(targets, found.files);
  if (missing.length) throw new PipelineError('DATA', `${dirname(missing[0])}: ${missing.length} shard(s) listed in manifest.json are missing (${basename(missing[0])}${missing.length > 1 ? ', ...' : ''}); rerun convert with --resume`, { path: missing[0] });
  if (unlisted.length) notes.push(unlistedNote(dirname(unlisted[0]), unlisted));
  const shards: Shard[] = [];
  // A few files at a time: a dataset of thousands of shards must not open them all at once.
  for (let i = 0; i < files.length; i += 8) {
    shards.push(...(await Promise.all(files.slice(i, i + 8).map((path) => countRecords(path, notes, expected.get(path))))));
  }
  await noteTfdsSplits(shards, notes);
  const sample: AnyExample[] = [];
  for (const shard of shards) {
    if (sample.length >= SAMPLE) break;
    for await (const record of readRecords(shard.path, { onProblem: () => undefined })) {
      try {
        sample.push(decodeAnyExample(Buffer.from(record.data)));
      } catch (error) {
        throw new PipelineError('DATA', `${shard.path}: record ${record.index} at byte offset ${record.offset} is not a tf.train.Example: ${(error as Error).message}`, { path: shard.path, offset: record.offset });
      }
      if (sample.length >= SAMPLE) break;
    }
  }
  const keys = detectKeysIn(sample, options, shards.length === 1 ? shards[0].path : `the ${shards.length} files' records`);
  if (keys.frames) {
    // One item per frame: the epoch's size is the frames, which only the records themselves say.
    for (const shard of shards) {
      shard.framesPerRecord = await countFrames(shard.path, keys.image.key);
      shard.frames = shard.framesPerRecord.reduce((a, b) => a + b, 0);
    }
    const frames = shards.reduce((n, s) => n + (s.frames ?? 0), 0);
    notes.push(`the images are the frames of feature list "${keys.image.key}": one item per frame, ${frames} frames in ${shards.reduce((n, s) => n + s.records, 0)} SequenceExamples`);
  }
  return { shards, keys, splits: found.splits, notes };
}

/** TFDS's dataset_info.json beside the shards: a split holding other than its shard lengths is said (inspect makes it an error). */
async function noteTfdsSplits(shards: readonly Shard[], notes: string[]): Promise<void> {
  const records = new Map(shards.map((s) => [s.path, s.records]));
  for (const dir of new Set(shards.map((s) => dirname(s.path)))) {
    const info = await readTfdsInfo(dir);
    if (info instanceof Error) notes.push(info.message);
    if (!info || info instanceof Error) continue;
    for (const c of checkSplits(info, records)) {
      if (c.read !== c.expected) notes.push(`warning: ${info.path}: split "${c.split}": its shard lengths say ${c.expected} records, its shards hold ${c.read} (a shard lost or cut short? pipeline inspect --verify checks them)`);
    }
  }
}

/** Frames of the feature list `key` in each of the file's SequenceExamples (a record that does not parse is one item, a failed read). */
async function countFrames(path: string, key: string): Promise<number[]> {
  const frames: number[] = [];
  for await (const record of readRecords(path, { verify: false, onProblem: () => undefined })) {
    try {
      frames.push(decodeSequenceExample(record.data).featureLists[key]?.length ?? 0);
    } catch {
      frames.push(1);
    }
  }
  return frames;
}

/**
 * The file's record count: its index when it matches the file (cheap check: contiguous, ending at the
 * file's size), else counted by reading the framing. A file whose very first record does not frame is
 * not a TFRecord file: exit 3 with the offset. A shard its manifest lists must have the manifest's
 * size and record count (exit 3 naming it; `inspect --verify` also checks its SHA-256).
 */
/** " at byte offset N" of the file; a compressed stream's message says its own place (uncompressed). */
const atOffset = (p: RecordProblem) => (p.offset >= 0 && p.code !== 'TFRECORD_COMPRESSION' ? ` at byte offset ${p.offset}` : '');

async function countRecords(path: string, notes: string[], entry?: ShardEntry): Promise<Shard> {
  const { shard, broken } = await countFraming(path, notes);
  if (entry) {
    // A shard we wrote reads to its end: a break in it (a flipped byte, a cut) is damage, not a foreign file's quirk.
    const wrong = (broken ? `${broken.error}${atOffset(broken)}` : undefined) ?? shardCountMismatch(entry, (await stat(path)).size, shard.records);
    if (wrong) throw new PipelineError('DATA', `${path}: does not match manifest.json: ${wrong}; check it with pipeline inspect --verify, rerun convert with --resume`, { path });
  }
  return shard;
}

async function countFraming(path: string, notes: string[]): Promise<{ shard: Shard; broken?: RecordProblem }> {
  const indexPath = indexPathFor(path);
  const object = isStorageUrl(path) ? await objectIndex(path, indexPath) : undefined;
  const index = object ? object.index : await readIndex(indexPath).catch(() => undefined);
  if (index) {
    const compressed = object ? object.compressed : (await detectCompression(path)) !== 'none';
    const mismatch = compressed ? 'the shard is compressed (an index cannot be checked against its size)' : indexMismatch(index, object ? object.size : (await stat(path)).size);
    if (!mismatch) return { shard: object ? { path, records: index.length, offsets: index.map((e) => e.offset) } : { path, records: index.length } };
    notes.push(`${indexPath} ignored, it does not match its shard: ${mismatch}; records counted instead`);
  }
  let records = 0;
  let first: RecordProblem | undefined;
  for await (const _ of readRecords(path, { verify: false, onProblem: (p) => (first ??= p) })) records++;
  // A broken compressed stream is damage to a shard, not a sign of a foreign file.
  if (first && records === 0 && first.offset === 0 && first.code !== 'TFRECORD_COMPRESSION') {
    throw new PipelineError('DATA', `${path}: not a TFRecord file: ${first.error} at byte offset 0`, { path, offset: 0 });
  }
  if (!first) return { shard: { path, records } };
  // The records past the break are items of the dataset whose every read fails (problems, under
  // --max-problems), never left out silently: as many as the shard's index lists (a compressed
  // shard's .idx cannot be checked by size, but it says how many records there were), at least one.
  const lost = Math.max(1, (index?.length ?? 0) - records);
  notes.push(`${path}: ${first.error}${atOffset(first)}: ${records} records before it are read, ${index && index.length > records ? `the ${lost} after it (its index lists ${index.length})` : 'the rest of the file'} count as failed reads`);
  return { shard: { path, records: records + lost }, broken: first };
}
