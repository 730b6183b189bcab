/**
 * `pipeline convert`: an image dataset to TFRecord shards, one partition per task on the pool.
 * Returns data; the CLI prints it.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { withClusterExecutor } from '../cluster/with-cluster.js';
import { runInputs, writeRunInputs } from '../cluster/run-inputs.js';
import { parseOptions } from '../options/define.js';
import { convertOptions, defaultDatasetName, type ConvertOptionsInput, type ConvertSettings } from '../options/convert.js';
import { byCodePoint, checkDatasetRoot, defaultPartitions, partitionRanges, scanDataset, type Dataset, type DatasetFile, type Skip } from '../dataset/scan.js';
import { isImageList, readImageList } from '../dataset/image-list.js';
import { splitItems } from '../dataset/split.js';
import { localExecutor, type Executor } from '../pool/executor.js';
import { defaultWorkers } from '../pool/pool.js';
import type { ConvertTask } from './task-types.js';
import { VERSION } from '../version.js';
import { isOwnTemporary, TEMPORARY } from '../output/temporary.js';
import { IMAGE_PATH, SCALED_JPEG_NOTICE } from './image-path.js';
import type { ImageOptions } from './image.js';
import { checkedEntry, fingerprint, PARTS_DIR, previousRun, recordShard, removeParts, verifiedShard, type Manifest, type ShardEntry } from './manifest.js';
import { writeFileAtomic, writeJsonAtomic } from '../output/atomic.js';
import { checkOutPath } from '../output/out-path.js';
import { checkSplitRoot, claimOutput, SHARD_FILE, type OutputClaim } from '../run-folder/ownership.js';
import { shardNames } from './shard-names.js';
import { MANIFEST_FILE, writeManifest } from '../run-folder/manifest.js';
import type { AlarmEvent } from '../hosts/alarms.js';
import { startHostRecording, type CostFigure } from '../hosts/recorder.js';
import { hostsJson, writeHostFiles } from '../hosts/host-files.js';
import { PROGRESS_INTERVAL_MS } from '../options/intervals.js';
import { CONVERT_RUN_FOLDER, SKIPPED } from '../run-folder/convert-files.js';
import { preloadArrow, writeTable } from '../run-folder/tables.js';
import type { BucketTarget } from '../storage/bucket-convert.js';
import { listSplitInput, splitOut } from './split-input.js';
import { requestFigures, requestMark, requestsSince, sumRequestFigures, type ConvertRequestFigures } from '../storage/request-figures.js';
import type { RequestStatsData } from '../storage/request-stats.js';
import { isStorageUrl } from '../storage/url.js';
import { useStorageConfig } from '../storage/storage-config.js';
import { DEFAULT_FEATURE_KEYS } from '../options/feature-keys.js';

/** The options (src/options/convert.ts: defaults, limits) and the caller's hooks. */
export type ConvertOptions = ConvertOptionsInput & ConvertHooks;

export interface ConvertHooks {
  signal?: AbortSignal;
  onProgress?: (p: ConvertProgress) => void;
  onInfo?: (message: string) => void;
  /** Where partitions run: the local pool by default, or a cluster (src/cluster/). */
  executor?: Executor;
}

export interface ConvertProgress {
  images: number;
  total: number;
  inputBytes: number;
  seconds: number;
}

export interface ConvertResult {
  images: number;
  records: number;
  skipped: number;
  shards: number;
  bytes: number;
  seconds: number;
  imagesPerSecond: number;
  out: string;
  /** Shards kept from an earlier run by --resume. */
  resumed: number;
  /** Worker threads that really ran (local mode). */
  workers?: number;
  /** What the user should know (also printed as warning lines): too many workers, nothing converted. */
  warnings: string[];
  /** Peak resident memory of the whole process (all worker threads), bytes. */
  peakRssBytes: number;
  /** Cluster mode: jobs, retried jobs, time in Redis round trips. */
  cluster?: Record<string, unknown>;
  /** Alarms that fired (also in convert-run/alarms.csv and convert-run/run.json). */
  alarms: AlarmEvent[];
  cost?: CostFigure;
  /** With --split: each split's result; its shards are in `out/<split>/`. */
  splits?: Record<string, ConvertResult>;
  /** Requests to object storage (workers' and driver's), when the run read or wrote a bucket (src/storage/request-figures.ts). */
  objectStorage?: ConvertRequestFigures;
}

export { DEFAULT_MAX_PIXELS } from '../options/convert.js';

// Bucket code (and the AWS SDK under it: about 0.15 s of CPU to load) only for s3:// and gs:// runs.
const scanBucket: typeof import('../dataset/scan-bucket.js').scanBucket = async (...args) =>
  (await import('../dataset/scan-bucket.js')).scanBucket(...args);

export async function convert(given: ConvertOptions): Promise<ConvertResult> {
  const settings = parseOptions(convertOptions, given);
  // --redis: the same command as a driver, its partitions run by cluster workers.
  if (settings.redis && !given.executor) return withClusterExecutor(settings.redis, given.onInfo, (executor) => convert({ ...given, executor }));
  useStorageConfig({ endpoint: settings.endpoint });
  const options: ConvertRun = { ...settings, signal: given.signal, onProgress: given.onProgress, onInfo: given.onInfo, executor: given.executor };
  // --out s3://... : the same run with its shards in the bucket (src/storage/bucket-convert.ts).
  if (isStorageUrl(settings.out) && !settings.split) {
    const { convertToBucket } = await import('../storage/bucket-convert.js');
    return convertToBucket(options, (staged, bucket) => convertChecked(staged, { bucket }));
  }
  return convertChecked(options, {});
}

/**
 * A convert of an input already listed (not exported from the package): tests use it to change
 * the input between its listing and its reading. No cluster, no bucket output, no --split.
 */
export async function convertListed(given: ConvertOptions, dataset: Dataset): Promise<ConvertResult> {
  const settings = parseOptions(convertOptions, given);
  useStorageConfig({ endpoint: settings.endpoint });
  return convertChecked({ ...settings, signal: given.signal, onProgress: given.onProgress, onInfo: given.onInfo, executor: given.executor }, { dataset });
}

/**
 * What one convert is given besides its options, never by a user: an input already listed (a
 * split of it), the TFDS-style shard name prefix, and for `--out s3://...`
 * (src/storage/bucket-convert.ts) the bucket its shards go to, `out` being a local staging folder.
 */
interface ConvertJob {
  dataset?: Dataset;
  tfdsPrefix?: string;
  bucket?: BucketTarget;
}

/** The input and output checked, then one convert (or one per split). */
async function convertChecked(options: ConvertRun, job: ConvertJob): Promise<ConvertResult> {
  // --split into a bucket: one bucket convert per split prefix (convertSplits).
  const out = isStorageUrl(options.out) ? options.out : checkOutPath(options.out);
  // An s3:// input: its class prefixes listed once here (the output prefix never read as input).
  if (isStorageUrl(options.input) && !job.dataset && !options.split)
    job = { ...job, dataset: await scanBucket(options.input, { exclude: job.bucket?.url, storage: { endpoint: options.endpoint } }) };
  const input = isStorageUrl(options.input) ? options.input : resolve(options.input);
  const list = isStorageUrl(input) ? false : (await stat(input).catch(() => undefined))?.isFile();
  if (list && !isImageList(input)) throw new PipelineError('USAGE', `${input}: expected a folder with one sub-folder per class, or an image list (.csv, .tsv, .jsonl), got another file`, { path: input });
  if (!list && !isStorageUrl(input)) await checkDatasetRoot(input);
  featureKeys(options);
  if (options.split) return convertSplits(out, input, list ?? false, options);
  if (list && !job.dataset) job = { ...job, dataset: await readImageList(input, { allowOutside: options.allowOutside }) };
  return convertClaimed(out, options, job);
}

/** One convert into `out`, which it holds (src/output/lock.ts) while it runs. */
async function convertClaimed(out: string, options: ConvertRun, job: ConvertJob): Promise<ConvertResult> {
  const claim = await claimOutput(out, { kind: 'convert', resume: options.resume, overwrite: options.overwrite });
  try {
    return await convertInto(claim, options, job);
  } finally {
    await claim.release();
  }
}

/** The options, checked and with their defaults, and the caller's hooks. */
type ConvertRun = ConvertSettings & ConvertHooks;

/** Collects warnings: returned in the result and said as they come. */
type Warn = (message: string) => void;

/**
 * The local worker threads start first and load the conversion code while the input is listed and
 * planned: about 0.15 s of CPU a thread that the run otherwise waited for after the plan.
 */
async function convertInto(claim: OutputClaim, options: ConvertRun, job: ConvertJob): Promise<ConvertResult> {
  const started = performance.now();
  const executor = options.executor ?? localExecutor(threadsBeforePlan(options), 'convertPartition');
  try {
    return await convertOn(executor, started, claim, options, job);
  } finally {
    if (!options.executor) await executor.close();
  }
}

/** plan -> resume -> run -> assemble -> write, on `executor`; `started`: the run's clock. */
async function convertOn(executor: Executor, started: number, claim: OutputClaim, options: ConvertRun, job: ConvertJob): Promise<ConvertResult> {
  const requestsBefore = requestMark();
  const out = claim.dir;
  const warnings: string[] = [];
  const warn: Warn = (message) => {
    warnings.push(message);
    options.onInfo?.(`warning: ${message}`);
  };
  await prepareOutput(out);
  const plan = await planConvert(out, options, job, warn);
  // --resume: keep every shard that still verifies (content, input stamps, index), redo the rest.
  const done = claim.state === 'resume' ? await resumeShards(out, plan, options, job, warn) : new Map<number, ShardEntry>();
  // The folder now holds exactly what this run keeps: no old manifest while the run is going, and
  // no shard of another partitioning or of an input that changed (the manifest is the only truth).
  await dropStale(out, new Set([...done.values()].flatMap((e) => [e.file, e.index])));
  await job.bucket?.dropStale(new Set([...done.values()].flatMap((e) => [e.file, e.index])));
  const todo = plan.shards.filter((p) => !done.has(p.partition));
  const total = todo.reduce((n, p) => n + p.files.length, 0);
  const { hosts, requests } = await runPartitions({ out, runId: claim.runId, plan, todo, total, done, started }, executor, options, job);
  const manifest = assembleManifest(plan, done);
  const objectStorage = objectStorageOf([...requests, requestsSince(requestsBefore)]);
  await writeConvertOutput(out, plan, manifest, hosts, objectStorage);
  hosts.run.alarms.forEach((a) => options.onInfo?.(`alarm ${a.alarm} on ${a.host} from ${(a.start_ms / 1000).toFixed(1)} s to ${(a.end_ms / 1000).toFixed(1)} s (peak ${a.peak.toPrecision(4)})`));
  const { records, skipped } = manifest.totals;
  if (records === 0) warn(`nothing was converted: ${plan.dataset.files.length === 0 ? 'no input files in the class folders' : `all ${skipped} input(s) skipped, listed in ${join(out, 'skipped.csv')}`}`);

  const seconds = (performance.now() - started) / 1000;
  const result: ConvertResult = {
    images: manifest.totals.images,
    records,
    skipped,
    shards: manifest.shards.length,
    bytes: manifest.totals.fileBytes,
    seconds,
    imagesPerSecond: total / seconds,
    out,
    resumed: plan.partitions - todo.length,
    workers: options.executor ? undefined : threadsRun(plan, todo.length),
    warnings,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(options.executor ? { cluster: options.executor.stats() } : {}),
    alarms: hosts.run.alarms,
    ...(hosts.run.cost ? { cost: hosts.run.cost } : {}),
    ...objectStorage,
  };
  if (options.strict && skipped > 0) {
    const error = new PipelineError('STRICT', `--strict: ${skipped} input(s) skipped, listed in ${join(out, 'skipped.csv')}`);
    Object.assign(error, { result });
    throw error;
  }
  return result;
}

/**
 * The local threads started before the input is listed: the workers asked for (all cores by
 * default), no more than --partitions when given. A dataset with fewer partitions than threads
 * leaves the extra ones idle (they only loaded the code).
 */
function threadsBeforePlan(options: ConvertRun): number {
  return Math.max(1, Math.min(options.workers ?? defaultWorkers(), options.partitions ?? Infinity));
}

/** The threads that run partitions: one per partition left, at most the plan's workers. */
function threadsRun(plan: ConvertPlan, todo: number): number {
  return Math.max(1, Math.min(plan.workers, todo));
}

/** One shard to write: its partition, inputs, file names, and the fingerprint --resume checks. */
interface ShardPlan {
  partition: number;
  files: DatasetFile[];
  names: ReturnType<typeof shardNames>;
  fingerprint: string;
}

/** What the run does: its inputs (empty files skipped), partitions, threads, and one plan per shard. */
interface ConvertPlan {
  image: ImageOptions;
  compression: ConvertSettings['compression'];
  keys: ReturnType<typeof featureKeys>;
  dataset: Dataset;
  partitions: number;
  workers: number;
  shards: ShardPlan[];
}

async function planConvert(out: string, options: ConvertRun, job: ConvertJob, warn: Warn): Promise<ConvertPlan> {
  const image: ImageOptions = {
    width: options.size.width,
    height: options.size.height,
    fit: options.fit,
    format: options.format,
    quality: options.quality,
    maxPixels: options.maxPixels,
  };
  const compression = options.compression;
  // Only where the synchronous JPEG path is taken (JPEG output, cover or fill).
  if (SCALED_JPEG_NOTICE && image.format === 'jpeg' && image.fit !== 'contain') warn(SCALED_JPEG_NOTICE);
  // The scan never enters the output folder, wherever it is: its files are not a class.
  const scanned = job.dataset ?? (await scanDataset(resolve(options.input), { exclude: [out] }));
  if (!job.dataset) scanned.notes?.forEach(warn);
  // An empty file is never an image: skipped before partitioning, so 20,000 of them beside one
  // image give one shard, not a shard per thousand inputs holding nothing.
  const empty = scanned.files.filter((f) => f.size === 0);
  const dataset = empty.length === 0 ? scanned : { ...scanned, files: scanned.files.filter((f) => f.size > 0), skipped: [...scanned.skipped, ...empty.map((f) => ({ path: f.rel, reason: 'empty file' }))] };
  let partitions = options.partitions ?? defaultPartitions(dataset.files.length);
  if (partitions > dataset.files.length) {
    if (options.partitions !== undefined) warn(`--partitions ${options.partitions} is more than the ${dataset.files.length} input file(s): writing ${dataset.files.length} shard(s), no empty ones`);
    partitions = dataset.files.length;
  }
  const cores = defaultWorkers();
  if (options.workers !== undefined && options.workers > cores && !options.executor) warn(`--workers ${options.workers} is more than the ${cores} cores of this machine: threads will share cores`);
  const workers = Math.max(1, Math.min(options.workers ?? cores, partitions));

  const keys = featureKeys(options);
  const byteOptions = {
    image,
    imagePath: IMAGE_PATH,
    compression,
    partitions,
    classes: dataset.classes,
    ...(options.imageKey || options.labelKey ? { keys } : {}),
  };
  const shards = partitionRanges(dataset.files.length, partitions).map((range, partition) => {
    const files = dataset.files.slice(range.start, range.end);
    const names = shardNames(partition, partitions, compression, job.tfdsPrefix);
    const print = fingerprint({ ...byteOptions, partition, files: files.map((f) => [f.rel, f.stamp, f.label]) });
    return { partition, files, names, fingerprint: print };
  });
  return { image, compression, keys, dataset, partitions, workers, shards };
}

/** --resume: the shards of the run being resumed that still verify, each recorded again at once. */
async function resumeShards(out: string, plan: ConvertPlan, options: ConvertRun, job: ConvertJob, warn: Warn): Promise<Map<number, ShardEntry>> {
  const { image, compression } = plan;
  const done = new Map<number, ShardEntry>();
  // Options are not inherited: a --resume without the first run's options redoes its shards
  // with these. Said in one line, so that nobody loses a long run to a forgotten --size.
  const previous = await previousRun(out);
  if (previous.damaged) warn(`--resume: ${previous.damaged.replace(/; rerun .*$/, '')}: not trusted, shards it alone lists are redone`);
  const before = previous.options;
  const now: Record<string, unknown> = { size: `${image.width}x${image.height}`, fit: image.fit, format: image.format, quality: image.quality, compression };
  const changed = before ? Object.keys(now).filter((k) => before[k] !== undefined && before[k] !== now[k]) : [];
  if (changed.length) {
    const list = changed.map((k) => `--${k} ${now[k]} (the run being resumed used ${before![k]})`).join(', ');
    warn(`--resume: ${list}: its shards are redone with this run's options; repeat the first run's options to keep them`);
  }
  for (const shard of plan.shards) {
    const recorded = previous.shards.get(shard.names.shard);
    const entry =
      recorded && recorded.index === shard.names.index
        ? job.bucket
          ? (await job.bucket.shardStillValid(recorded, shard.fingerprint))
            ? recorded
            : undefined
          : await verifiedShard(out, recorded, shard.fingerprint)
        : undefined;
    if (entry) {
      done.set(shard.partition, entry);
      // Recorded before the old manifest goes: a run killed from now on still keeps it.
      await recordShard(out, shard.names.base, entry);
      await job.bucket?.recordShard(shard.names.base, entry);
    }
  }
  options.onInfo?.(`resume: ${done.size} of ${plan.partitions} shards verified and kept`);
  return done;
}

/** Where the partitions left to do run, and how far the run is. */
interface PartitionRun {
  out: string;
  runId: string;
  plan: ConvertPlan;
  todo: ShardPlan[];
  total: number;
  /** Filled as each shard is committed. */
  done: Map<number, ShardEntry>;
  started: number;
}

/** Runs the partitions left on the executor, recording each shard as it is committed; the hosts' figures. */
async function runPartitions(
  run: PartitionRun, executor: Executor, options: ConvertRun, job: ConvertJob,
): Promise<{ hosts: { run: HostRun; runStartMs: number }; requests: RequestStatsData[] }> {
  const { out, todo, done } = run;
  // Each task's requests to object storage, counted on its worker thread.
  const requests: RequestStatsData[] = [];
  const runStartMs = Date.now();
  const hostRecording = startHostRecording({
    role: executor.hostFeed ? 'driver' : 'local', runStartMs, intervalMs: options.hostIntervalMs, alarms: options.alarms,
    pricePerWorkerHour: options.pricePerWorkerHour, pricePerHost: options.pricePerHost, feed: await executor.hostFeed?.(),
  });
  let hosts: HostRun | undefined;
  const report = () => {
    const { items, kilobytes } = executor.progress();
    options.onProgress?.({ images: items, total: run.total, inputBytes: kilobytes * 1024, seconds: (performance.now() - run.started) / 1000 });
  };
  const ticker = setInterval(report, PROGRESS_INTERVAL_MS);
  try {
    const tasks = partitionTasks(run, options, job);
    // Cluster workers read only images inside the inputs the driver records in the run's folder
    // (src/cluster/run-inputs.ts): a job forged in Redis cannot name other files.
    if (options.executor && tasks.length) {
      const { dir, id } = tasks[0].run!;
      const inputs = runInputs(tasks.flatMap((t) => t.files.map((f) => f.path)));
      await writeRunInputs(dir, { runId: id, inputs }, tasks[0].storage).catch((error: unknown) => {
        throw outputError(error, out);
      });
    }
    // The tables of convert-run/ are written when the last shard is in: their writer loads now, while the threads work.
    setImmediate(preloadArrow);
    await executor.runAll('convertPartition', tasks, async (result, index) => {
      const shard = todo[index];
      // Checked first: a cluster result is untrusted JSON (null, a forged shape: exit 3, never a TypeError).
      const entry = checkedEntry({ partition: shard.partition, file: shard.names.shard, index: shard.names.index, fingerprint: shard.fingerprint }, result);
      if (result.requests) requests.push(result.requests);
      // Recorded at once: a run killed later keeps this shard on --resume.
      await recordShard(out, shard.names.base, entry);
      await job.bucket?.recordShard(shard.names.base, entry);
      done.set(shard.partition, entry);
    }, options.signal).catch((error: unknown) => {
      throw outputError(error, out);
    });
    hosts = await hostRecording.stop();
  } finally {
    clearInterval(ticker);
    // An interrupted or failed run stops sampling too (its files are not written: the run is not complete).
    if (!hosts) await hostRecording.stop().catch(() => undefined);
    // The local threads end while the output is written (convertInto awaits them).
    if (!options.executor) void executor.close().catch(() => undefined);
    await removeTemporaryFiles(out);
  }
  report();
  // Every shard is committed: what temporary files are left belong to workers that died (cluster
  // mode) or to killed runs, never to a writer still at work on this output.
  await removeTemporaryFiles(out, true);
  return { hosts: { run: hosts, runStartMs }, requests };
}

type HostRun = Awaited<ReturnType<ReturnType<typeof startHostRecording>['stop']>>;

/** One task per partition left: its inputs and where its shard and index go (a folder or a bucket). */
function partitionTasks(run: PartitionRun, options: ConvertRun, job: ConvertJob): ConvertTask[] {
  const { out, plan } = run;
  return run.todo.map((shard) => ({
    partition: shard.partition,
    files: shard.files.map(({ path, rel, label, className }) => ({ path, rel, label, className })),
    shardPath: job.bucket ? job.bucket.location(shard.names.shard) : join(out, shard.names.shard),
    indexPath: job.bucket ? job.bucket.location(shard.names.index) : join(out, shard.names.index),
    fingerprint: shard.fingerprint,
    image: plan.image,
    compression: plan.compression,
    keys: plan.keys,
    run: job.bucket ? { dir: job.bucket.url, id: job.bucket.runId } : { dir: out, id: run.runId },
    ...(options.endpoint ? { storage: { endpoint: options.endpoint } } : {}),
  }));
}

/** The manifest of the finished run: every shard, in partition order, and the totals. */
function assembleManifest(plan: ConvertPlan, done: Map<number, ShardEntry>): Manifest & { skippedList: Skip[] } {
  const { image, compression, partitions, keys, dataset } = plan;
  const shards = plan.shards.map((p) => done.get(p.partition)!);
  const skipped: Skip[] = [...dataset.skipped, ...shards.flatMap((s) => s.skipped)].sort((a, b) => byCodePoint(a.path, b.path));
  const records = shards.reduce((n, s) => n + s.records, 0);
  return {
    tool: { name: 'pipeline', version: VERSION },
    options: { size: `${image.width}x${image.height}`, fit: image.fit, format: image.format, quality: image.quality, maxPixels: image.maxPixels, compression, partitions, keys },
    classes: dataset.classes,
    shards,
    totals: {
      images: dataset.files.length + dataset.skipped.length,
      records,
      skipped: skipped.length,
      bytes: shards.reduce((n, s) => n + s.bytes, 0),
      fileBytes: shards.reduce((n, s) => n + s.fileBytes, 0),
    },
    skipped: skipped.length,
    skippedList: skipped,
  };
}

/**
 * labels.txt, skipped.csv and convert-run/ at once, then manifest.json (the commit), then the part
 * records go: two rounds of flushes after the last shard, not three (the order a bucket convert
 * has always had, docs/DESIGN.md).
 */
async function writeConvertOutput(
  out: string,
  plan: ConvertPlan,
  assembled: Manifest & { skippedList: Skip[] },
  hosts: { run: HostRun; runStartMs: number },
  requests: { objectStorage?: ConvertRequestFigures },
): Promise<void> {
  const { skippedList, ...manifest } = assembled;
  // Files that do not depend on each other are written at once: each waits only for its own fsync.
  await Promise.all([
    writeFileAtomic(join(out, 'labels.txt'), plan.dataset.classes.map((c) => c + '\n').join('')),
    writeTable(out, SKIPPED, skippedList),
    writeConvertRun(join(out, CONVERT_RUN_FOLDER), hosts.run, hosts.runStartMs, requests),
  ]);
  await writeManifest(out, manifest);
  await removeParts(out);
}

/** The feature keys of the records written: `image` and `class` unless renamed; the class name's `label` gives way to a renamed class id. */
function featureKeys(options: ConvertRun): { image: string; class: string; label: string } {
  const keys = {
    image: options.imageKey ?? DEFAULT_FEATURE_KEYS.image,
    class: options.labelKey ?? DEFAULT_FEATURE_KEYS.class,
    label: options.labelKey === DEFAULT_FEATURE_KEYS.label ? 'class_name' : DEFAULT_FEATURE_KEYS.label,
  };
  const fixed = ['filename', 'height', 'width', 'channels', 'format', keys.label];
  for (const [option, key] of [['--image-key', keys.image], ['--label-key', keys.class]] as const) {
    if (key === '' || fixed.includes(key)) throw new PipelineError('USAGE', `${option}: expected a feature name other than ${fixed.join(', ')}, got ${JSON.stringify(key)}`);
  }
  if (keys.image === keys.class) throw new PipelineError('USAGE', `--image-key and --label-key: expected two different names, got ${JSON.stringify(keys.image)} for both`);
  return keys;
}

/**
 * `--split train=0.8,val=0.1,test=0.1`: the input listed once, each image assigned by its path's
 * hash (src/dataset/split.ts), then one ordinary convert per split into `out/<split>/`, with the
 * same classes in every split and TFDS-style names `<name>-<split>.tfrecord-00000-of-00004`.
 */
async function convertSplits(out: string, input: string, list: boolean, options: ConvertRun): Promise<ConvertResult> {
  const dataset = await listSplitInput(input, out, list, options);
  const name = options.name ?? defaultDatasetName(input);
  const groups = splitItems(dataset.files, options.split!);
  dataset.notes?.forEach((note) => options.onInfo?.(`warning: ${note}`));
  // A split that gets no images is not written: under --overwrite its old folder goes too.
  // A bucket has no folder to own: each split prefix is judged (new, --resume, --overwrite) and locked by its own convert.
  if (!isStorageUrl(out)) await checkSplitRoot(out, [...groups].filter(([, files]) => files.length > 0).map(([split]) => split), options);
  const splits: Record<string, ConvertResult> = {};
  for (const [split, files] of groups) {
    if (files.length === 0) {
      options.onInfo?.(`warning: split ${split} got no images (${dataset.files.length} in all): not written`);
      continue;
    }
    // Inputs that could not even be listed belong to no split: reported with the first one.
    const skipped = Object.keys(splits).length === 0 ? dataset.skipped : [];
    // --strict is decided once every split is written, so one split's skips do not stop the others.
    const one = { ...options, input, out: splitOut(out, split), split: undefined, strict: false };
    const splitJob: ConvertJob = { dataset: { ...dataset, files, skipped }, tfdsPrefix: `${name}-${split}` };
    splits[split] = isStorageUrl(out)
      ? await (await import('../storage/bucket-convert.js')).convertToBucket(one, (staged, bucket) => convertChecked(staged, { ...splitJob, bucket }))
      : await convertClaimed(checkOutPath(one.out), one, splitJob);
  }
  const all = Object.values(splits);
  const sum = (f: (r: ConvertResult) => number) => all.reduce((n, r) => n + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const result: ConvertResult = {
    ...all[0],
    images: sum((r) => r.images),
    records: sum((r) => r.records),
    skipped: sum((r) => r.skipped),
    shards: sum((r) => r.shards),
    bytes: sum((r) => r.bytes),
    seconds,
    imagesPerSecond: sum((r) => r.records) / seconds,
    out,
    resumed: sum((r) => r.resumed),
    warnings: [...(dataset.notes ?? []), ...all.flatMap((r) => r.warnings)],
    peakRssBytes: Math.max(...all.map((r) => r.peakRssBytes)),
    alarms: all.flatMap((r) => r.alarms),
    splits,
    ...sumObjectStorage(all),
  };
  const skippedIn = Object.entries(splits).filter(([, r]) => r.skipped > 0);
  if (options.strict && skippedIn.length > 0) {
    const where = skippedIn.map(([split]) => `${splitOut(out, split)}/skipped.csv`).join(', ');
    const error = new PipelineError('STRICT', `--strict: ${result.skipped} input(s) skipped, listed in ${where}`);
    Object.assign(error, { result });
    throw error;
  }
  return result;
}

/** convert-run/: hosts.csv, hosts.arrow, alarms.csv and a run.json with the hosts, alarms and cost. */
async function writeConvertRun(dir: string, hosts: HostRun, runStartMs: number, requests: { objectStorage?: ConvertRequestFigures }): Promise<void> {
  await mkdir(dir, { recursive: true });
  const run = { tool: { name: 'pipeline', version: VERSION }, command: 'convert', start: new Date(runStartMs).toISOString(), end: new Date().toISOString(), 
    hosts: hostsJson(hosts), alarms: hosts.alarms, ...requests };
  // At once: each file waits only for its own fsync.
  await Promise.all([writeHostFiles(dir, hosts), writeJsonAtomic(join(dir, 'run.json'), run)]);
}

/** Marks the folder as a convert run in progress (`_parts`) and clears killed runs' temporary files. */
async function prepareOutput(out: string): Promise<void> {
  try {
    await mkdir(join(out, PARTS_DIR), { recursive: true });
    await removeTemporaryFiles(out, true);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new PipelineError('OUTPUT', `cannot use output folder ${out}: ${e.code ?? e.message}`, { path: out, cause: error });
  }
}

/** Leftovers of this run (or, at start, of any killed run): never complete, never final names. */
async function removeTemporaryFiles(out: string, anyRun = false): Promise<void> {
  const leftover = anyRun ? (name: string) => TEMPORARY.test(name) : isOwnTemporary;
  for (const name of await readdir(out).catch(() => [] as string[])) {
    if (leftover(name)) await rm(join(out, name), { force: true });
  }
}

/** Removes the old manifest and every shard or index not in `keep`. */
async function dropStale(out: string, keep: Set<string>): Promise<void> {
  await rm(join(out, MANIFEST_FILE), { force: true });
  for (const name of await readdir(out)) {
    if (SHARD_FILE.test(name) && !keep.has(name)) await rm(join(out, name), { force: true });
  }
}

/** A worker's failure as the user should see it: the output folder named for disk errors; a bug stays a bug (exit 1, the worker's stack). */
function outputError(error: unknown, out: string): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOSPC') return new PipelineError('OUTPUT', `no space left on the device while writing to ${out}`, { path: out, cause: error });
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return new PipelineError('OUTPUT', `cannot write to ${out}: ${code}`, { path: out, cause: error });
  if (code === 'STALE_RUN') return new PipelineError('OUTPUT', `${(error as Error).message}: another run took ${out} over`, { path: out, cause: error });
  return error;
}

/** `objectStorage` for the result, present only when the run made requests. */
function objectStorageOf(parts: RequestStatsData[]): { objectStorage?: ConvertRequestFigures } {
  const figures = requestFigures(parts);
  return figures ? { objectStorage: figures } : {};
}

/** The splits' requests summed, present only when they made any. */
function sumObjectStorage(all: readonly ConvertResult[]): { objectStorage?: ConvertRequestFigures } {
  const figures = sumRequestFigures(all.map((r) => r.objectStorage));
  return figures ? { objectStorage: figures } : {};
}
