/**
 * `pipeline inspect`: files, records, bytes, feature keys and types, and (with `verify`) every
 * record's CRCs. The result has the shape of `tfrecord_check.py`'s output, so the two compare.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { PipelineError } from '../errors.js';
import { IndexCheck } from '../tfrecord/index-check.js';
import { existsAt } from '../storage/text-at.js';
import { scanExampleFeatureTypes } from '../tfrecord/example-scan.js';
import { decodeAnyExample, type AnyExample, type Feature, type FeatureType } from '../tfrecord/example.js';
import { decodePlainExample } from '../tfrecord/example-decode.js';
import { FeatureCensus, type FeatureListSummary, type TypeCounts } from '../tfrecord/feature-census.js';
import { findRecordFiles } from '../tfrecord/files.js';
import { detectKeysIn, type DetectedKeys } from '../tfrecord/keys.js';
import { parseOptions } from '../options/define.js';
import { inspectOptions, type InspectOptionsInput, type InspectSettings } from '../options/inspect.js';
import type { ShardEntry } from '../run-folder/manifest.js';
import { selectByManifests, shardCountMismatch, shardHashMismatch } from '../tfrecord/manifest-files.js';
import { checkTfdsSidecars } from '../tfrecord/tfds-info.js';
import { sha256File } from '../run-folder/manifest.js';
import { indexMismatch, indexPathFor, readIndex } from '../tfrecord/record-index.js';
import { readRecordGroups, type RecordProblem } from '../tfrecord/reader.js';
import { useStorageConfig } from '../storage/storage-config.js';

/** `targets` (files, folders or globs; or one `target`), `split`, keys, `verify`, `dump`: src/options/inspect.ts. */
export type InspectOptions = InspectOptionsInput & { signal?: AbortSignal };

export type DumpedFeature = { bytes: string[] } | { int64: bigint[] } | { float: number[] } | { empty: true };
export type DumpedFeatures = Record<string, DumpedFeature>;
/** A dumped SequenceExample: its context and its lists of frames. */
export interface DumpedSequence {
  context: DumpedFeatures;
  featureLists: Record<string, DumpedFeature[]>;
}

export interface InspectResult {
  files: number;
  records: number;
  bytes: number;
  /** Each key's type: the one most records have ("empty" only when no record has a value). */
  features: Record<string, FeatureType>;
  /** Records per key and type: two types (empty aside) are a conflict, a note or with `strict` an error. */
  featureTypes: Record<string, TypeCounts>;
  /** SequenceExamples among the records (their context counts in `features`); absent when none. */
  sequenceExamples?: number;
  /** The SequenceExamples' feature lists: frame types, records holding each, frames per record. */
  featureLists?: Record<string, FeatureListSummary>;
  errors: Omit<RecordProblem, 'code'>[];
  /** TFRecord files in a converted folder that its manifest does not list: not read, not counted. */
  unlisted?: string[];
  examples?: (DumpedFeatures | DumpedSequence)[];
  /** The image / label / size features the speed test would use, and how they were found (null: none found). */
  detected: DetectedKeys | null;
  /** Shard splits, .idx files ignored, files left out, detection failures. */
  notes: string[];
}

export async function inspect(input: InspectOptions): Promise<InspectResult> {
  const options = { ...parseOptions(inspectOptions, input), signal: input.signal };
  useStorageConfig({ endpoint: options.endpoint });
  const targets = options.targets ?? (options.target !== undefined ? [options.target] : []);
  const found = await findRecordFiles(targets, { split: options.split });
  // A converted folder's shards are the ones its manifest lists (src/tfrecord/manifest-files.ts).
  const selection = await selectByManifests(targets, found.files);
  const result: InspectResult = { files: 0, records: 0, bytes: 0, features: {}, featureTypes: {}, errors: [], detected: null, notes: [...found.notes] };
  // A shard the manifest lists but that is gone is an integrity failure like a bad CRC.
  for (const file of selection.missing) result.errors.push({ file, offset: 0, record: 0, error: 'listed in manifest.json but missing' });
  if (selection.unlisted.length) result.unlisted = selection.unlisted;
  const pass: InspectPass = { options, result, census: new FeatureCensus(), sample: [], examples: [] };
  const recordsPerFile = new Map<string, number>();
  for (const file of selection.files) {
    result.files++;
    const { records, bytes } = await inspectFile(file, selection.expected.get(file), pass);
    result.records += records;
    result.bytes += bytes;
    recordsPerFile.set(file, records);
  }
  await assembleResult(pass, recordsPerFile);
  return result;
}

/** What the whole pass gathers, file after file. */
interface InspectPass {
  options: InspectSettings & { signal?: AbortSignal };
  result: InspectResult;
  census: FeatureCensus;
  /** The first records, decoded whole, to detect the image / label / size keys from. */
  sample: AnyExample[];
  examples: (DumpedFeatures | DumpedSequence)[];
}

/** One file's records and CRCs, its index and its manifest entry checked: its record count and stream bytes. */
async function inspectFile(file: string, entry: ShardEntry | undefined, pass: InspectPass): Promise<{ records: number; bytes: number }> {
  const { options, result } = pass;
  const stats = { bytes: 0 };
  let records = 0;
  const onProblem = (p: RecordProblem) => {
    result.errors.push({ file: p.file, offset: p.offset, record: p.record, error: p.error });
    // A record whose data CRC failed was still framed: it counts, as in the checker.
    if (p.code === 'TFRECORD_DATA_CRC') records = p.record + 1;
  };
  // --verify checks the index beside the shard line by line, and hashes a manifest-listed shard,
  // in the same pass as the CRCs: each shard is read once.
  const indexPath = indexPathFor(file);
  const indexCheck =
    options.verify && indexPath !== file && (await existsAt(indexPath)) ? await IndexCheck.open(indexPath) : undefined;
  const hash = options.verify && entry ? createHash('sha256') : undefined;
  let hashed = 0;
  const onRawChunk = hash && ((chunk: Buffer) => {
    hash.update(chunk);
    hashed += chunk.length;
  });
  const reading = { verify: options.verify, onProblem, stats, signal: options.signal, onFrame: indexCheck?.frame, onRawChunk, transient: true };
  for await (const group of readRecordGroups(file, reading)) {
    for (const record of group) {
      records = record.index + 1;
      inspectRecord(file, record, pass);
    }
  }
  // A shard of a converted folder must be the one its manifest lists: size and record count
  // always (cheap), its SHA-256 with --verify. An emptied, cut, replaced or swapped shard is exit 3.
  if (entry && !options.signal?.aborted) {
    const size = (await stat(file)).size;
    // The pass's hash, unless reading stopped before the end (broken framing): then read it again.
    const sha256 = () => (hash && hashed === size ? hash.digest('hex') : sha256File(file, options.signal));
    const wrong = shardCountMismatch(entry, size, records) ?? (options.verify ? shardHashMismatch(entry, await sha256()) : undefined);
    if (wrong) result.errors.push({ file, offset: 0, record: 0, error: `does not match manifest.json: ${wrong}` });
  }
  if (indexCheck && !options.signal?.aborted) {
    const wrong = indexCheck.end();
    if (wrong) result.errors.push({ file: wrong.index, offset: 0, record: Math.max(0, wrong.line - 1), error: `index line ${wrong.line}: ${wrong.error}` });
  } else if (!options.verify) {
    // Without --verify, the cheap check: a stale index is ignored by readers, and said so.
    const note = await indexNote(file, records, stats.bytes);
    if (note) result.notes.push(note);
  }
  return { records, bytes: stats.bytes };
}

/** One record into the census (and the sample and dump while they want more). */
function inspectRecord(file: string, record: { data: Uint8Array; offset: number; index: number }, pass: InspectPass): void {
  const { census, sample, examples } = pass;
  const dump = pass.options.dump;
  // Past the records kept whole, only each feature's type is needed: read off the wire, not decoded.
  if (sample.length >= 32 && examples.length >= dump) {
    const scanned = scanExampleFeatureTypes(record.data);
    if (scanned) {
      census.addTypes(scanned.keys, scanned.types, file, record.offset, record.index);
      return;
    }
  }
  try {
    const decoded = decodeRecord(record.data);
    census.add(decoded, { file, offset: record.offset, record: record.index });
    if (examples.length < dump) examples.push(decoded.kind === 'example' ? dumpFeatures(decoded.features) : dumpSequence(decoded));
    if (sample.length < 32) sample.push(decodeRecord(Buffer.from(record.data)));
  } catch (error) {
    pass.result.errors.push({ file, offset: record.offset, record: record.index, error: `not an Example: ${(error as Error).message}` });
  }
}

/** A record decoded: by hand when it has the plain shape, else by protobufjs (loaded then), which decides. */
function decodeRecord(data: Uint8Array): AnyExample {
  return decodePlainExample(data) ?? decodeAnyExample(data);
}

/** The census's types and conflicts, the TFDS sidecars' checks, the detected keys and the dump, into the result. */
async function assembleResult(pass: InspectPass, recordsPerFile: Map<string, number>): Promise<void> {
  const { options, result, census, sample } = pass;
  result.features = census.usualTypes();
  result.featureTypes = census.types;
  if (census.sequenceExamples > 0) {
    result.sequenceExamples = census.sequenceExamples;
    result.featureLists = census.featureLists;
  }
  // A key whose type changes between records fails a reader that parses with one spec: under
  // --strict an error (exit 3) at the first record of the odd type, else a note.
  for (const conflict of census.conflicts()) {
    if (options.strict) result.errors.push({ ...conflict.first, error: conflict.message });
    else result.notes.push(`${conflict.message}; --strict makes this an error`);
  }
  // TFDS's dataset_info.json: a split holding other than its shard lengths is an error.
  if (!options.signal?.aborted) {
    const tfds = await checkTfdsSidecars(recordsPerFile, result.features);
    result.errors.push(...tfds.errors);
    result.notes.push(...tfds.notes);
  }
  if (sample.length > 0) {
    try {
      result.detected = detectKeysIn(sample, options);
    } catch (error) {
      if ((error as PipelineError).code === 'USAGE') throw error;
      result.notes.push((error as Error).message);
    }
  }
  if (options.dump > 0) result.examples = pass.examples;
}

/** A note when the shard's .idx does not match it (the cheap check: contiguous records ending at the stream's end). */
async function indexNote(file: string, records: number, streamBytes: number): Promise<string | undefined> {
  const path = indexPathFor(file);
  const index = await readIndex(path).catch((error: PipelineError) => (error.code === 'DATA' ? error : undefined));
  if (!index) return undefined;
  if (index instanceof Error) return `${path} ignored: ${index.message}`;
  const mismatch = indexMismatch(index, streamBytes) ?? (index.length !== records ? `it lists ${index.length} records, the file holds ${records}` : undefined);
  return mismatch ? `${path} ignored, it does not match its shard: ${mismatch}` : undefined;
}

const dumpFeature = (f: Feature): DumpedFeature => ('bytes' in f ? { bytes: f.bytes.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')) } : f);

function dumpFeatures(features: Record<string, Feature>): DumpedFeatures {
  const out: DumpedFeatures = {};
  for (const [key, f] of Object.entries(features)) out[key] = dumpFeature(f);
  return out;
}

function dumpSequence(s: { context: Record<string, Feature>; featureLists: Record<string, Feature[]> }): DumpedSequence {
  const featureLists: Record<string, DumpedFeature[]> = {};
  for (const [key, frames] of Object.entries(s.featureLists)) featureLists[key] = frames.map(dumpFeature);
  return { context: dumpFeatures(s.context), featureLists };
}
