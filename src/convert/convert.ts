/**
 * `pipeline convert`: an image dataset to TFRecord shards, one partition per task on the pool.
 * Returns data; the CLI prints it.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { PipelineError } from '../errors.js';
import { byCodePoint, defaultPartitions, partitionRanges, scanDataset, type Skip } from '../dataset/scan.js';
import { localExecutor, type Executor } from '../pool/executor.js';
import { defaultWorkers } from '../pool/pool.js';
import type { ConvertPartitionResult, ConvertTask, TaskResult } from '../pool/protocol.js';
import type { Compression } from '../tfrecord/compression.js';
import { VERSION } from '../version.js';
import { temporarySuffix } from '../tfrecord/writer.js';
import type { ImageOptions } from './image.js';
import { fingerprint, previousShards, recordShard, removeParts, shardStillValid, writeJsonAtomic, type Manifest, type ShardEntry } from './manifest.js';
import { shardNames } from './shard-names.js';
import type { Alarm, AlarmEvent } from '../hosts/alarms.js';
import { startHostRecording, type CostFigure } from '../hosts/recorder.js';
import { hostsJson, writeHostFiles } from '../hosts/host-files.js';

export interface ConvertOptions {
  input: string;
  out: string;
  width?: number;
  height?: number;
  fit?: ImageOptions['fit'];
  format?: ImageOptions['format'];
  quality?: number;
  partitions?: number;
  workers?: number;
  compression?: Compression;
  resume?: boolean;
  strict?: boolean;
  maxPixels?: number;
  signal?: AbortSignal;
  onProgress?: (p: ConvertProgress) => void;
  onInfo?: (message: string) => void;
  /** Where partitions run: the local pool by default, or a cluster (src/cluster/). */
  executor?: Executor;
  /** Host sampling period (convert-run/hosts.csv), ms; default 250. */
  hostIntervalMs?: number;
  alarms?: Alarm[];
  pricePerWorkerHour?: number;
}

/** Where convert records its run (hosts, alarms, run.json): a sub-folder, so the dataset's own files stay apart. */
export const CONVERT_RUN_FOLDER = 'convert-run';

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
  /** Peak resident memory of the whole process (all worker threads), bytes. */
  peakRssBytes: number;
  /** Cluster mode: jobs, retried jobs, time in Redis round trips. */
  cluster?: Record<string, unknown>;
  /** Alarms that fired (also in convert-run/alarms.csv and convert-run/run.json). */
  alarms: AlarmEvent[];
  cost?: CostFigure;
}

/** sharp's own default pixel limit (16383 x 16383): a decompression-bomb guard that real photos never hit. */
export const DEFAULT_MAX_PIXELS = 268_402_689;

export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const started = performance.now();
  const image: ImageOptions = {
    width: options.width ?? 192,
    height: options.height ?? 192,
    fit: options.fit ?? 'cover',
    format: options.format ?? 'jpeg',
    quality: options.quality ?? 90,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
  };
  const compression = options.compression ?? 'none';
  const out = resolve(options.out);
  const dataset = await scanDataset(resolve(options.input));
  const partitions = options.partitions ?? defaultPartitions(dataset.files.length);
  const workers = Math.min(options.workers ?? defaultWorkers(), partitions);
  await prepareOutput(out);

  const byteOptions = { image, compression, partitions, classes: dataset.classes };
  const plans = partitionRanges(dataset.files.length, partitions).map((range, partition) => {
    const files = dataset.files.slice(range.start, range.end);
    const names = shardNames(partition, partitions, compression);
    const print = fingerprint({ ...byteOptions, partition, files: files.map((f) => [f.rel, f.size, f.label]) });
    return { partition, files, names, fingerprint: print };
  });

  // --resume: keep every shard that still verifies, redo the rest.
  const done = new Map<number, ShardEntry>();
  if (options.resume) {
    const previous = await previousShards(out);
    for (const plan of plans) {
      const entry = previous.get(plan.names.shard);
      if (entry && (await shardStillValid(out, entry, plan.fingerprint))) done.set(plan.partition, entry);
    }
    options.onInfo?.(`resume: ${done.size} of ${partitions} shards verified and kept`);
  }

  const todo = plans.filter((p) => !done.has(p.partition));
  const total = todo.reduce((n, p) => n + p.files.length, 0);
  const executor = options.executor ?? localExecutor(Math.max(1, Math.min(workers, todo.length)));
  const runStartMs = Date.now();
  const hostRecording = startHostRecording({
    role: executor.hostFeed ? 'driver' : 'local', runStartMs, intervalMs: options.hostIntervalMs, alarms: options.alarms,
    pricePerWorkerHour: options.pricePerWorkerHour, feed: await executor.hostFeed?.(),
  });
  let hostsStopped = false;
  let hosts!: Awaited<ReturnType<typeof hostRecording.stop>>;
  const ticker = setInterval(() => report(), 250);
  function report() {
    const { items, kilobytes } = executor.progress();
    options.onProgress?.({ images: items, total, inputBytes: kilobytes * 1024, seconds: (performance.now() - started) / 1000 });
  }
  try {
    const tasks: Omit<ConvertTask, 'progress'>[] = todo.map((plan) => ({
      partition: plan.partition,
      files: plan.files.map(({ path, rel, label, className }) => ({ path, rel, label, className })),
      shardPath: join(out, plan.names.shard),
      indexPath: join(out, plan.names.index),
      image,
      compression,
    }));
    await executor.runAll<Omit<ConvertTask, 'progress'>, TaskResult<ConvertPartitionResult>>('convertPartition', tasks, async (result, index) => {
      if (!result.ok) throw outputError(result.error, out);
      const plan = todo[index];
      const entry: ShardEntry = {
        partition: plan.partition,
        file: plan.names.shard,
        index: plan.names.index,
        records: result.records,
        bytes: result.bytes,
        fileBytes: result.fileBytes,
        sha256: result.sha256,
        fingerprint: plan.fingerprint,
        skipped: result.skipped,
      };
      // Recorded at once: a run killed later keeps this shard on --resume.
      await recordShard(out, plan.names.base, entry);
      done.set(plan.partition, entry);
    }, options.signal);
    hostsStopped = true;
    hosts = await hostRecording.stop();
  } finally {
    clearInterval(ticker);
    // An interrupted or failed run stops sampling too (its files are not written: the run is not complete).
    if (!hostsStopped) await hostRecording.stop().catch(() => undefined);
    if (!options.executor) await executor.close();
    await removeTemporaryFiles(out);
  }
  report();

  // Every shard is committed: what temporary files are left belong to workers that died (cluster
  // mode) or to killed runs, never to a writer still at work on this output.
  await removeTemporaryFiles(out, true);
  const shards = plans.map((p) => done.get(p.partition)!);
  const skipped: Skip[] = [...dataset.skipped, ...shards.flatMap((s) => s.skipped)].sort((a, b) => byCodePoint(a.path, b.path));
  const records = shards.reduce((n, s) => n + s.records, 0);
  const manifest: Manifest = {
    tool: { name: 'pipeline', version: VERSION },
    options: { size: `${image.width}x${image.height}`, fit: image.fit, format: image.format, quality: image.quality, maxPixels: image.maxPixels, compression, partitions },
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
  };
  await writeFile(join(out, 'labels.txt'), dataset.classes.join('\n') + '\n');
  await writeFile(join(out, 'skipped.csv'), stringify(skipped, { header: true, columns: ['path', 'reason'] }));
  await writeJsonAtomic(join(out, 'manifest.json'), manifest);
  await removeParts(out);
  await writeConvertRun(join(out, CONVERT_RUN_FOLDER), hosts, runStartMs);
  hosts.alarms.forEach((a) => options.onInfo?.(`alarm ${a.alarm} on ${a.host} from ${(a.start_ms / 1000).toFixed(1)} s to ${(a.end_ms / 1000).toFixed(1)} s (peak ${a.peak.toPrecision(4)})`));

  const seconds = (performance.now() - started) / 1000;
  const result: ConvertResult = {
    images: manifest.totals.images,
    records,
    skipped: skipped.length,
    shards: shards.length,
    bytes: manifest.totals.fileBytes,
    seconds,
    imagesPerSecond: total / seconds,
    out,
    resumed: partitions - todo.length,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(options.executor ? { cluster: options.executor.stats() } : {}),
    alarms: hosts.alarms,
    ...(hosts.cost ? { cost: hosts.cost } : {}),
  };
  if (options.strict && skipped.length > 0) {
    const error = new PipelineError('STRICT', `--strict: ${skipped.length} input(s) skipped, listed in ${join(out, 'skipped.csv')}`);
    Object.assign(error, { result });
    throw error;
  }
  return result;
}

/** convert-run/: hosts.csv, hosts.arrow, alarms.csv and a run.json with the hosts, alarms and cost. */
async function writeConvertRun(dir: string, hosts: Awaited<ReturnType<ReturnType<typeof startHostRecording>['stop']>>, runStartMs: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeHostFiles(dir, hosts);
  const run = { tool: { name: 'pipeline', version: VERSION }, command: 'convert', start: new Date(runStartMs).toISOString(), end: new Date().toISOString(), hosts: hostsJson(hosts), alarms: hosts.alarms };
  await writeFile(join(dir, 'run.json'), JSON.stringify(run, null, 2) + '\n');
}

async function prepareOutput(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
    await removeTemporaryFiles(out, true);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new PipelineError('OUTPUT', `cannot use output folder ${out}: ${e.code ?? e.message}`, { path: out, cause: error });
  }
}

/** Leftovers of this run (or, at start, of any killed run): never complete, never final names. */
async function removeTemporaryFiles(out: string, anyRun = false): Promise<void> {
  const mine = anyRun ? /\.tmp-[^/]+$/ : new RegExp(`\\.tmp-${escapeRegExp(temporarySuffix())}$`);
  for (const name of await readdir(out).catch(() => [] as string[])) {
    if (mine.test(name)) await rm(join(out, name), { force: true });
  }
}

function outputError(error: { code: string; message: string }, out: string): Error {
  if (error.code === 'ENOSPC') return new PipelineError('OUTPUT', `no space left on the device while writing to ${out}`, { path: out });
  if (error.code === 'EACCES' || error.code === 'EROFS' || error.code === 'EPERM') return new PipelineError('OUTPUT', `cannot write to ${out}: ${error.code}`, { path: out });
  const e = new Error(`worker failed: ${error.code}: ${error.message}`);
  return e;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
