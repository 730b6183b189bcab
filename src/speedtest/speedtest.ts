/**
 * `pipeline speedtest`: read throughput of image files vs TFRecords, cache off vs on, over the
 * grid of batch size x batch number x repetition, one job per partition of the grid on the pool.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../output/atomic.js';
import { checkOutPath } from '../output/out-path.js';
import { claimOutput } from '../output/ownership.js';
import { cpus, hostname, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { PipelineError, usageError } from '../errors.js';
import { scanDataset } from '../dataset/scan.js';
import { localExecutor, type Executor } from '../pool/executor.js';
import { defaultWorkers } from '../pool/pool.js';
import { ResourceMonitor } from '../monitor/resource-monitor.js';
import { listRecordFiles } from '../tfrecord/files.js';
import { selectByManifest, unlistedNote } from '../tfrecord/manifest-files.js';
import { decodeExample } from '../tfrecord/example.js';
import { readRecords } from '../tfrecord/reader.js';
import { indexPathFor, readIndex } from '../tfrecord/record-index.js';
import { VERSION } from '../version.js';
import { gridTasks, partitionTasks, type CacheMode, type DatasetKind } from './grid.js';
import { writeTable, type ColumnType } from './run-files.js';
import type { Problem, Shard } from './sources.js';
import type { MeasurementRow, SpeedtestJob, SpeedtestJobResult, TaskSpan } from './task.js';
import { summarise, type SpeedtestSummary } from './summary.js';
import { startHostRecording, type CostFigure } from '../hosts/recorder.js';
import { hostsJson, writeHostFiles } from '../hosts/host-files.js';
import type { Alarm, AlarmEvent } from '../hosts/alarms.js';

export interface SpeedtestOptions {
  images?: string;
  tfrecords?: string;
  out: string;
  /** Replace an earlier speed-test run (and its report) in `out`. */
  overwrite?: boolean;
  datasets?: DatasetKind[];
  caches?: CacheMode[];
  batchSizes?: number[];
  batchNumbers?: number[];
  repetitions?: number[];
  warmup?: number;
  cacheLimitBytes?: number;
  workers?: number;
  partitions?: number;
  width?: number;
  height?: number;
  signal?: AbortSignal;
  onProgress?: (p: { tasks: number; total: number; seconds: number }) => void;
  onInfo?: (message: string) => void;
  /** Where jobs run: the local pool by default, or a cluster (src/cluster/). */
  executor?: Executor;
  /** A scaling study: the grid once per worker count / partition count (recorded in every row). */
  sweepWorkers?: number[];
  sweepPartitions?: number[];
  /** Host sampling period (hosts.csv), ms; default 250. */
  hostIntervalMs?: number;
  /** `--alarm`s, parsed (src/hosts/alarms.ts). */
  alarms?: Alarm[];
  /** The summary gives the run's cost from the worker hosts' wall time. */
  pricePerWorkerHour?: number;
}

/** The speed test's result: the summary, plus what the hosts showed. */
export interface SpeedtestResult extends SpeedtestSummary {
  alarms: AlarmEvent[];
  cost?: CostFigure;
}

export const MEASUREMENT_COLUMNS: Record<keyof MeasurementRow, ColumnType> = {
  dataset: 'string', cache: 'string', batch_size: 'int', batch_number: 'int', repetition: 'int', data_size: 'int',
  images: 'int', seconds: 'float', images_per_second: 'float', bytes_read: 'int64', workers: 'int', partitions: 'int',
  task: 'int', worker: 'int', start_ms: 'float', end_ms: 'float', epochs: 'int', cached_images: 'int',
  first_batch_ms: 'float', steady_images_per_second: 'float',
  read_ms: 'float', verify_parse_ms: 'float', decode_ms: 'float', fit_ms: 'float', assembly_ms: 'float', wait_ms: 'float',
  read_busy_ms: 'float', verify_parse_busy_ms: 'float', decode_busy_ms: 'float', fit_busy_ms: 'float', assembly_busy_ms: 'float',
  thread_cpu_ms: 'float',
};

interface TaskRowOut {
  task: number; worker: number; workers: number; partitions: number; dataset: string; cache: string;
  batch_size: number; batch_number: number; start_ms: number; end_ms: number; rows: number; images: number;
}

const TASK_COLUMNS: Record<string, ColumnType> = {
  task: 'int', worker: 'int', workers: 'int', partitions: 'int', dataset: 'string', cache: 'string', batch_size: 'int', batch_number: 'int', start_ms: 'float', end_ms: 'float', rows: 'int', images: 'int',
};

export async function speedtest(options: SpeedtestOptions): Promise<SpeedtestResult> {
  const out = checkOutPath(options.out);
  chosenDatasets(options); // usage errors first, before the run folder is touched
  const claim = await claimOutput(out, { kind: 'speedtest', overwrite: options.overwrite });
  try {
    return await speedtestInto(out, options);
  } finally {
    await claim.release();
  }
}

async function speedtestInto(out: string, options: SpeedtestOptions): Promise<SpeedtestResult> {
  const runStartMs = Date.now();
  const started = performance.now();
  const datasets = chosenDatasets(options);
  const caches = options.caches ?? ['off'];
  const batchSizes = options.batchSizes ?? [8, 16, 32, 64];
  const batchNumbers = options.batchNumbers ?? [10, 30, 60];
  const repetitions = options.repetitions ?? [1, 2, 3];
  const warmup = options.warmup ?? 1;
  const workers = options.workers ?? defaultWorkers();
  const cacheLimitBytes = options.cacheLimitBytes ?? 2 ** 30;

  const notes: string[] = [];
  const shards = datasets.includes('tfrecord') ? await loadShards(resolve(options.tfrecords!), notes) : [];
  const size = options.width && options.height ? { width: options.width, height: options.height } : await storedSize(options.tfrecords ? resolve(options.tfrecords) : undefined, shards);
  const images = datasets.includes('images') ? (await scanDataset(resolve(options.images!), { exclude: [out] })).files.map((f) => f.path) : [];
  if (datasets.includes('images') && images.length === 0) throw new PipelineError('NOT_FOUND', `${options.images}: no image files in the class folders`);
  if (datasets.includes('tfrecord') && shards.length === 0) throw new PipelineError('NOT_FOUND', `${options.tfrecords}: no TFRecord files`);

  const tasks = gridTasks({ datasets, caches, batchSizes, batchNumbers });
  const partitions = Math.min(options.partitions ?? tasks.length, tasks.length);
  const maxRepetition = Math.max(...repetitions);

  const largest = Math.max(...batchSizes) * Math.max(...batchNumbers);
  for (const [name, count] of [['images', images.length], ['tfrecord', shards.reduce((n, s) => n + s.records, 0)]] as const) {
    if (datasets.includes(name) && count < largest) notes.push(`the ${name} dataset holds ${count} images, fewer than the largest pass (${largest}): passes read it again from the start (epochs column)`);
  }
  const cores = defaultWorkers();
  const mostWorkers = Math.max(workers, ...(options.sweepWorkers ?? []));
  if (!options.executor && mostWorkers > cores) notes.push(`warning: ${mostWorkers} workers on a machine with ${cores} cores: threads share cores (the workers column records the threads that ran)`);
  notes.forEach((n) => options.onInfo?.(n));

  // A scaling study runs the whole grid once per setting (--sweep-workers x --sweep-partitions).
  const settings = (options.sweepWorkers ?? [workers]).flatMap((w) => (options.sweepPartitions ?? [partitions]).map((p) => ({ workers: w, partitions: Math.min(p, tasks.length) })));
  const monitor = new ResourceMonitor();
  monitor.start();
  const hostRecording = startHostRecording({
    role: options.executor?.hostFeed ? 'driver' : 'local', runStartMs, intervalMs: options.hostIntervalMs, alarms: options.alarms,
    pricePerWorkerHour: options.pricePerWorkerHour, feed: await options.executor?.hostFeed?.(),
  });
  const rows: MeasurementRow[] = [];
  const spans: TaskRowOut[] = [];
  const problems: (Problem & { task: number })[] = [];
  const allThreads: [string, number][] = [];
  let interrupted = false;
  let done = 0;
  const total = tasks.length * settings.length;
  for (const [s, setting] of settings.entries()) {
    if (interrupted) break;
    const offset = s * tasks.length;
    const results: SpeedtestJobResult[] = [];
    // The threads that really run (never more than the jobs): what the rows record as `workers`.
    const threads = options.executor ? setting.workers : Math.min(setting.workers, setting.partitions);
    const executor = options.executor ?? localExecutor(threads);
    const jobs: SpeedtestJob[] = partitionTasks(tasks, setting.partitions).map((group, partition) => ({
      partition, tasks: group.map((t) => ({ ...t, task: t.task + offset })), images, shards, ...size, repetitions: maxRepetition, warmup,
      cacheLimitBytes: Math.floor(cacheLimitBytes / Math.min(setting.workers, setting.partitions)), runStartMs,
    }));
    try {
      await executor.runAll<SpeedtestJob, SpeedtestJobResult>('runSpeedtestJob', jobs, async (result, index) => {
        if (result.error) throw new PipelineError('DATA', `speed-test job ${index} failed: ${result.error.code}: ${result.error.message}`);
        results.push(result);
        done += jobs[index].tasks.length;
        options.onProgress?.({ tasks: done, total, seconds: (performance.now() - started) / 1000 });
      }, options.signal);
    } catch (error) {
      if (!options.signal?.aborted) throw error;
      interrupted = true;
    } finally {
      if (!options.executor) await executor.close();
    }
    // Worker index: the order in which this setting's threads first ran a task.
    const threadOrder = [...new Map(results.flatMap((r) => r.spans.map((sp) => [sp.start_ms, r] as const)).sort((a, b) => a[0] - b[0]).map(([, r]) => [r.thread, r.tid])).entries()];
    allThreads.push(...threadOrder);
    const workerIndex = new Map(threadOrder.map(([thread], i) => [thread, i]));
    rows.push(...results.flatMap((r) => r.rows.filter((row) => repetitions.includes(row.repetition)).map((row) => ({ ...row, workers: threads, partitions: setting.partitions, worker: workerIndex.get(r.thread) ?? -1 }))));
    const taskById = new Map(tasks.map((t) => [t.task + offset, t]));
    spans.push(...results.flatMap((r) => r.spans.map((sp: TaskSpan) => {
      const t = taskById.get(sp.task)!;
      return { task: sp.task, worker: workerIndex.get(r.thread) ?? -1, workers: threads, partitions: setting.partitions, dataset: t.dataset, cache: t.cache, batch_size: t.batchSize, batch_number: t.batchNumber, start_ms: sp.start_ms, end_ms: sp.end_ms, rows: sp.rows, images: sp.images };
    })));
    problems.push(...results.flatMap((r) => r.problems));
  }
  monitor.stop();
  const hosts = await hostRecording.stop();
  hosts.alarms.forEach((a) => options.onInfo?.(`alarm ${a.alarm} on ${a.host} from ${(a.start_ms / 1000).toFixed(1)} s to ${(a.end_ms / 1000).toFixed(1)} s (peak ${a.peak.toPrecision(4)})`));
  rows.sort((a, b) => a.task - b.task || a.repetition - b.repetition);
  spans.sort((a, b) => a.task - b.task);
  problems.sort((a, b) => a.task - b.task);
  // Threads of this process can be sampled; a cluster's remote threads cannot (their CPU is not in resources.csv).
  const localPrefix = `${hostname()}/${process.pid}/`;
  const threadOrder = allThreads;
  const resources = monitor.rows(allThreads.map(([thread, tid]) => (thread.startsWith(localPrefix) ? tid : -1)));

  await writeTable(join(out, 'measurements'), rows, MEASUREMENT_COLUMNS);
  await writeTable(join(out, 'tasks'), spans, TASK_COLUMNS, false);
  const resourceColumns: Record<string, ColumnType> = { elapsed_ms: 'float', cpu_process: 'float', cpu_main: 'float', cpu_other: 'float' };
  threadOrder.forEach((_, w) => (resourceColumns[`cpu_worker_${w}`] = 'float'));
  Object.assign(resourceColumns, { rss_bytes: 'int64', read_bytes: 'int64', read_ops: 'int64', written_bytes: 'int64' });
  await writeTable(join(out, 'resources'), resources, resourceColumns);
  await writeHostFiles(out, hosts);
  await writeTable(join(out, 'problems'), problems, { task: 'int', source: 'string', offset: 'int64', error: 'string' }, false);

  const summary = summarise(rows, spans, { out, problems: problems.length, interrupted });
  const cpu = cpus();
  await writeFileAtomic(
    join(out, 'run.json'),
    JSON.stringify(
      {
        tool: { name: 'pipeline', version: VERSION },
        command: 'speedtest',
        options: { images: options.images, tfrecords: options.tfrecords, datasets, caches, batchSizes, batchNumbers, repetitions, warmup, cacheLimitBytes, workers, partitions, size, sweepWorkers: options.sweepWorkers, sweepPartitions: options.sweepPartitions },
        node: process.version,
        cpu: { model: cpu[0]?.model ?? 'unknown', cores: cpu.length },
        memoryBytes: totalmem(),
        start: new Date(runStartMs).toISOString(),
        end: new Date().toISOString(),
        interrupted,
        notes,
        monitor: { intervalMs: 250, missingSources: monitor.missing, ...monitor.overhead },
        executor: (options.executor ?? { stats: () => ({ mode: 'local', workers }) }).stats(),
        datasetSizes: { images: images.length, tfrecord: shards.reduce((n, s) => n + s.records, 0) },
        summary,
        hosts: hostsJson(hosts),
        alarms: hosts.alarms,
      },
      null,
      2,
    ) + '\n',
  );
  if (interrupted) {
    const error = new PipelineError('ABORTED', `speed test interrupted: ${rows.length} rows written to ${out}`);
    throw error;
  }
  return { ...summary, alarms: hosts.alarms, ...(hosts.cost ? { cost: hosts.cost } : {}) };
}

function chosenDatasets(options: SpeedtestOptions): DatasetKind[] {
  const datasets = options.datasets ?? (['images', 'tfrecord'] as DatasetKind[]).filter((d) => (d === 'images' ? options.images : options.tfrecords));
  if (datasets.length === 0) throw usageError('--images / --tfrecords', 'at least one dataset folder', 'neither');
  if (datasets.includes('images') && !options.images) throw usageError('--images', 'the image dataset folder', 'nothing');
  if (datasets.includes('tfrecord') && !options.tfrecords) throw usageError('--tfrecords', 'the folder of TFRecord shards', 'nothing');
  return datasets;
}

/** The shards with their record counts, from the index beside each one, or by counting frames. */
async function loadShards(dir: string, notes: string[]): Promise<Shard[]> {
  // A converted folder's shards are the ones its manifest lists; others are reported, not read.
  const { files, unlisted, missing } = await selectByManifest(dir, await listRecordFiles(dir));
  if (missing.length) throw new PipelineError('DATA', `${dir}: ${missing.length} shard(s) listed in manifest.json are missing (${basename(missing[0])}${missing.length > 1 ? ', ...' : ''}); rerun convert with --resume`, { path: missing[0] });
  if (unlisted.length) notes.push(unlistedNote(dir, unlisted));
  return Promise.all(
    files.map(async (path) => {
      const index = await readIndex(indexPathFor(path)).catch(() => undefined);
      if (index) return { path, records: index.length };
      let records = 0;
      for await (const _ of readRecords(path, { verify: false, onProblem: () => undefined })) records++;
      return { path, records };
    }),
  );
}

/** The images' stored size: the convert manifest's, else the first record's. */
async function storedSize(dir: string | undefined, shards: Shard[]): Promise<{ width: number; height: number }> {
  if (dir) {
    const manifest = await readFile(join(dir, 'manifest.json'), 'utf8').then(JSON.parse).catch(() => undefined);
    const m = /^(\d+)x(\d+)$/.exec(manifest?.options?.size ?? '');
    if (m) return { width: Number(m[1]), height: Number(m[2]) };
  }
  for (const shard of shards) {
    for await (const record of readRecords(shard.path, { onProblem: () => undefined })) {
      const f = decodeExample(record.data);
      if (f.width && 'int64' in f.width && f.height && 'int64' in f.height) return { width: Number(f.width.int64[0]), height: Number(f.height.int64[0]) };
      break;
    }
  }
  return { width: 192, height: 192 };
}
