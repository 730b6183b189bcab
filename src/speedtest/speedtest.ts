/**
 * `pipeline speedtest`: read throughput of image files vs TFRecords, cache off vs on, over the
 * grid of batch size x batch number x repetition, one job per partition of the grid on the pool.
 */
import { manifestSchema, ourManifest, type Manifest } from '../run-folder/manifest.js';
import { writeFileAtomic } from '../output/atomic.js';
import { checkOutPath } from '../output/out-path.js';
import { claimOutput } from '../run-folder/ownership.js';
import { cpus, hostname, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { PipelineError, usageError } from '../errors.js';
import { withClusterExecutor } from '../cluster/with-cluster.js';
import { parseOptions } from '../options/define.js';
import { MAX_BATCH_BYTES, MAX_IMAGES_PER_PASS, speedtestOptions, type SpeedtestOptionsInput, type SpeedtestSettings } from '../options/speedtest.js';
import { DEFAULT_CHANNELS, DEFAULT_FIT_SIZE } from '../options/speedtest-defaults.js';
import { PROGRESS_INTERVAL_MS, RESOURCE_INTERVAL_MS } from '../options/intervals.js';
import { scanDataset } from '../dataset/scan.js';
import { localExecutor, type Executor } from '../pool/executor.js';
import { defaultWorkers } from '../pool/pool.js';
import { ResourceMonitor } from '../monitor/resource-monitor.js';
import { describeKeys } from '../tfrecord/keys.js';
import { openTfrecordDataset } from './tfrecord-dataset.js';
import { VERSION } from '../version.js';
import { gridTasks, partitionTasks, type CacheMode, type DatasetKind, type GridTask } from './grid.js';
import { writeTable } from '../run-folder/tables.js';
import { MEASUREMENTS, PROBLEMS, resourcesTable, TASKS, type ProblemRow } from '../run-folder/files.js';
import { INTERRUPTED_KEY } from '../run-folder/load-run.js';
import type { Problem, Shard } from './sources.js';
import type { MeasurementRow, SpeedtestJob, SpeedtestJobResult, TaskSpan } from './task.js';
import { summarise, type SpeedtestSummary } from '../run-folder/summary.js';
import { hostOfThread, startHostRecording, type CostFigure } from '../hosts/recorder.js';
import { hostsJson, writeHostFiles } from '../hosts/host-files.js';
import type { AlarmEvent } from '../hosts/alarms.js';
import { isStorageUrl } from '../storage/url.js';
import { scanBucket } from '../dataset/scan-bucket.js';
import { openUrl, takeRequestStats, useStorageConfig } from '../storage/object-store.js';
import { requestCost, RequestStats, type ObjectStorageFigures } from '../storage/request-stats.js';

export type { ObjectStorageFigures } from '../storage/request-stats.js';

/** The options (src/options/speedtest.ts: defaults, limits) and the caller's hooks. */
export type SpeedtestOptions = SpeedtestOptionsInput & SpeedtestHooks;

export interface SpeedtestHooks {
  signal?: AbortSignal;
  /** Tasks done, and images delivered by the passes so far (counted per batch, so a long pass shows progress). */
  onProgress?: (p: { tasks: number; total: number; seconds: number; images: number }) => void;
  onInfo?: (message: string) => void;
  /** Where jobs run: the local pool by default, or a cluster (src/cluster/). */
  executor?: Executor;
}

/** The speed test's result: the summary, plus what the hosts showed. */
export interface SpeedtestResult extends SpeedtestSummary {
  alarms: AlarmEvent[];
  /** Datasets in a bucket: requests, time to first byte, cost (also in run.json). */
  objectStorage?: ObjectStorageFigures;
  cost?: CostFigure;
}

export async function speedtest(input: SpeedtestOptions): Promise<SpeedtestResult> {
  const parsed = parseOptions(speedtestOptions, input);
  // --redis: the same command as a driver, its jobs run by cluster workers.
  if (parsed.redis && !input.executor) return withClusterExecutor(parsed.redis, input.onInfo, (executor) => speedtest({ ...input, executor }));
  const options: SpeedtestRun = { ...parsed, signal: input.signal, onProgress: input.onProgress, onInfo: input.onInfo, executor: input.executor };
  // The run folder stays local even for bucket datasets: it is small, read by report and compare, and locked by a pid.
  if (isStorageUrl(options.out)) throw new PipelineError('USAGE', `--out: expected a local run folder (the datasets may be s3:// / gs:// URLs, the run folder is small and read by report and compare), got ${options.out}`);
  const out = checkOutPath(options.out);
  chosenDatasets(options); // usage errors first, before the run folder is touched
  checkPassBounds(options);
  const claim = await claimOutput(out, { kind: 'speedtest', overwrite: options.overwrite });
  try {
    return await speedtestInto(out, claim.runId, options);
  } finally {
    await claim.release();
  }
}

/** The options, checked and with their defaults, and the caller's hooks. */
type SpeedtestRun = SpeedtestSettings & SpeedtestHooks;

/** plan -> run -> assemble -> write. */
async function speedtestInto(out: string, runId: string, options: SpeedtestRun): Promise<SpeedtestResult> {
  const plan = await planSpeedtest(out, runId, options);
  plan.notes.forEach((n) => options.onInfo?.(n));
  const monitor = new ResourceMonitor();
  monitor.start(RESOURCE_INTERVAL_MS);
  const hostRecording = startHostRecording({
    role: options.executor?.hostFeed ? 'driver' : 'local', runStartMs: plan.runStartMs, intervalMs: options.hostIntervalMs, alarms: options.alarms,
    pricePerWorkerHour: options.pricePerWorkerHour, pricePerHost: options.pricePerHost, feed: await options.executor?.hostFeed?.(),
  });
  const gathered = newGathered();
  for (const [s, setting] of plan.settings.entries()) {
    if (gathered.interrupted) break;
    try {
      await runSetting(plan, setting, s, gathered, options);
    } catch (error) {
      // A failed run stops its samplers too: a library caller's process must not keep sampling.
      monitor.stop();
      await hostRecording.stop();
      throw error;
    }
  }
  monitor.stop();
  const hosts = await hostRecording.stop();
  const assembled = assembleRun(gathered, hosts, monitor);
  hosts.alarms.forEach((a) => options.onInfo?.(`alarm ${a.alarm} on ${a.host} from ${(a.start_ms / 1000).toFixed(1)} s to ${(a.end_ms / 1000).toFixed(1)} s (peak ${a.peak.toPrecision(4)})`));
  const { rows, spans, problems, interrupted } = gathered;
  // The Arrow file says itself whether the run was interrupted: a report still knows it without run.json.
  await writeTable(out, MEASUREMENTS, rows, { [INTERRUPTED_KEY]: String(interrupted) });
  await writeTable(out, TASKS, spans);
  await writeTable(out, resourcesTable(gathered.allThreads.length), assembled.resources);
  await writeHostFiles(out, hosts);
  await writeTable(out, PROBLEMS, problems);

  gathered.requests.merge(takeRequestStats());
  const objectStorage = gathered.requests.empty
    ? undefined
    : { ...gathered.requests.summary(), cost: requestCost(gathered.requests.counts, options.pricePer1000Requests) };
  const summary = summarise(rows, spans, { out, problems: problems.length, interrupted });
  const verdict = problemVerdict({ datasets: plan.datasets, rows, problems, reads: gathered.reads, failed: gathered.failed, maxProblems: options.maxProblems });
  summary.firstProblem = problems.length ? describeProblem(problems[0]) : null;
  await writeFileAtomic(join(out, 'run.json'), JSON.stringify(runJson({ plan, options, gathered, monitor, hosts, summary, verdict, objectStorage }), null, 2) + '\n');
  if (interrupted) {
    const error = new PipelineError('ABORTED', `speed test interrupted: ${rows.length} rows written to ${out}`);
    throw error;
  }
  const result = { ...summary, alarms: hosts.alarms, ...(hosts.cost ? { cost: hosts.cost } : {}), ...(objectStorage ? { objectStorage } : {}) };
  if (verdict) throw Object.assign(new PipelineError('DATA', `${verdict} (run files written to ${out})`), { result });
  return result;
}

/** The datasets opened and the grid laid out: what every setting of the run reads. */
interface SpeedtestPlan {
  out: string;
  runId: string;
  runStartMs: number;
  started: number;
  datasets: DatasetKind[];
  caches: CacheMode[];
  workers: number;
  partitions: number;
  notes: string[];
  tfrecords: Awaited<ReturnType<typeof openTfrecordDataset>> | undefined;
  shards: Shard[];
  images: string[];
  channels: number;
  size: { width: number; height: number } | undefined;
  tfrecordItems: number;
  tasks: GridTask[];
  /** A scaling study runs the whole grid once per setting (--sweep-workers x --sweep-partitions). */
  settings: { workers: number; partitions: number }[];
}

async function planSpeedtest(out: string, runId: string, options: SpeedtestRun): Promise<SpeedtestPlan> {
  const runStartMs = Date.now();
  const started = performance.now();
  const datasets = chosenDatasets(options);
  const caches: CacheMode[] = options.cache === 'both' ? ['off', 'on'] : [options.cache];
  const { batchSizes, batchNumbers } = options;
  const workers = options.workers ?? defaultWorkers();
  const opened = await openDatasets(out, datasets, options);
  const { notes, shards, images } = opened;

  const tasks = gridTasks({ datasets, caches, batchSizes, batchNumbers });
  const partitions = Math.min(options.partitions ?? tasks.length, tasks.length);
  const largest = Math.max(...batchSizes) * Math.max(...batchNumbers);
  // A TFRecord item is a record, or a frame when the images are a SequenceExample feature list.
  const tfrecordItems = shards.reduce((n, s) => n + (s.frames ?? s.records), 0);
  for (const [name, count] of [['images', images.length], ['tfrecord', tfrecordItems]] as const) {
    if (datasets.includes(name) && count < largest) notes.push(`the ${name} dataset holds ${count} images, fewer than the largest pass (${largest}): passes read it again from the start (epochs column)`);
  }
  const cores = defaultWorkers();
  const mostWorkers = Math.max(workers, ...(options.sweepWorkers ?? []));
  if (!options.executor && mostWorkers > cores) notes.push(`warning: ${mostWorkers} workers on a machine with ${cores} cores: threads share cores (the workers column records the threads that ran)`);
  const settings = (options.sweepWorkers ?? [workers]).flatMap((w) =>
    (options.sweepPartitions ?? [partitions]).map((p) => ({ workers: w, partitions: Math.min(p, tasks.length) })),
  );
  return { out, runId, runStartMs, started, datasets, caches, workers, partitions, ...opened, tfrecordItems, tasks, settings };
}

/** The TFRecords (their keys, channels and size) and the image files, with what the user should know of them. */
async function openDatasets(out: string, datasets: DatasetKind[], options: SpeedtestRun) {
  const notes: string[] = [];
  useStorageConfig({ endpoint: options.endpoint });
  takeRequestStats(); // the driver's own requests (listings, indexes) count from here
  const targets =
    options.tfrecords === undefined
      ? []
      : (Array.isArray(options.tfrecords) ? options.tfrecords : [options.tfrecords]).map((t) => (isStorageUrl(t) ? t : resolve(t)));
  const tfrecords = datasets.includes('tfrecord') ? await openTfrecordDataset(targets, { split: options.split, imageKey: options.imageKey, labelKey: options.labelKey }) : undefined;
  const shards = tfrecords?.shards ?? [];
  if (tfrecords) {
    notes.push(...tfrecords.notes, `TFRecord features: ${describeKeys(tfrecords.keys)}`);
  }
  const stored = tfrecords?.keys.storedChannels ?? [];
  const channels = options.channels ?? (stored.length === 1 ? stored[0] : DEFAULT_CHANNELS);
  if (!options.channels && stored.length > 1) notes.push(`the TFRecords hold images of ${stored.join(' and ')} channels: all are decoded to ${channels} (set --channels to choose)`);
  const size = options.size ?? await storedSize(targets, tfrecords?.keys.sizes);
  if (!size) notes.push(`the TFRecords hold images of different sizes (${tfrecords!.keys.sizes.slice(0, 4).join(', ')}${tfrecords!.keys.sizes.length > 4 ? ', ...' : ''} in the first records): each is delivered at its own size, not resized; a batch is their pixels one after another (a ragged batch). Image files are not resized either unless --size is given`);
  const images = !datasets.includes('images') ? [] : isStorageUrl(options.images) ? (await scanBucket(options.images)).files.map((f) => f.path) : (await scanDataset(resolve(options.images!), { exclude: [out] })).files.map((f) => f.path);
  if (datasets.includes('images') && images.length === 0) throw new PipelineError('NOT_FOUND', `${options.images}: no image files in the class folders`);
  if (datasets.includes('tfrecord') && shards.length === 0) throw new PipelineError('NOT_FOUND', `${options.tfrecords}: no TFRecord files`);
  return { notes, tfrecords, shards, channels, size, images };
}

/** What the settings' jobs sent back, gathered across settings. */
interface Gathered {
  rows: MeasurementRow[];
  spans: TaskSpan[];
  problems: ProblemRow[];
  reads: Record<string, number>;
  failed: Record<string, number>;
  requests: RequestStats;
  /** Every thread that ran a task (host/pid/threadId, OS tid), in worker-index order per setting. */
  allThreads: [string, number][];
  interrupted: boolean;
  done: number;
  deliveredSoFar: number;
}

const newGathered = (): Gathered => ({
  rows: [],
  spans: [],
  problems: [],
  reads: {},
  failed: {},
  requests: new RequestStats(),
  allThreads: [],
  interrupted: false,
  done: 0,
  deliveredSoFar: 0,
});

/** One setting (workers x partitions): the whole grid as jobs on the executor; an abort marks the run interrupted. */
async function runSetting(
  plan: SpeedtestPlan,
  setting: { workers: number; partitions: number },
  s: number,
  gathered: Gathered,
  options: SpeedtestRun,
): Promise<void> {
  const offset = s * plan.tasks.length;
  const total = plan.tasks.length * plan.settings.length;
  const results: SpeedtestJobResult[] = [];
  // The threads that really run (never more than the jobs): what the rows record as `workers`.
  const threads = options.executor ? setting.workers : Math.min(setting.workers, setting.partitions);
  const executor = options.executor ?? localExecutor(threads);
  const jobs = settingJobs(plan, { threads, partitions: setting.partitions, cacheShare: Math.min(setting.workers, setting.partitions) }, offset, options);
  const imagesBefore = gathered.deliveredSoFar;
  const report = () => {
    gathered.deliveredSoFar = imagesBefore + executor.progress().items;
    options.onProgress?.({ tasks: gathered.done, total, seconds: (performance.now() - plan.started) / 1000, images: gathered.deliveredSoFar });
  };
  const ticker = setInterval(report, PROGRESS_INTERVAL_MS);
  try {
    await executor.runAll(
      'runSpeedtestJob',
      jobs,
      async (result, index) => {
        results.push(result);
        gathered.done += jobs[index].tasks.length;
        report();
      },
      options.signal,
    );
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    gathered.interrupted = true;
  } finally {
    clearInterval(ticker);
    if (!options.executor) await executor.close();
  }
  gatherResults(results, gathered, options);
}

/**
 * The setting's jobs: one per partition of the grid, with what each thread needs to read both
 * datasets and to write finished rows (`threads`: what the rows record as `workers`; `cacheShare`:
 * how many threads share the cache limit).
 */
function settingJobs(
  plan: SpeedtestPlan,
  setting: { threads: number; partitions: number; cacheShare: number },
  offset: number,
  options: SpeedtestRun,
): SpeedtestJob[] {
  const { tfrecords, channels, size } = plan;
  const layout = tfrecords
    ? { image: tfrecords.keys.image.key, width: tfrecords.keys.width, height: tfrecords.keys.height, channels, frames: tfrecords.keys.frames }
    : undefined;
  return partitionTasks(plan.tasks, setting.partitions).map((group, partition) => ({
    partition,
    tasks: group.map((t) => ({ ...t, task: t.task + offset })),
    images: plan.images,
    shards: plan.shards,
    ...size,
    channels,
    layout,
    repetitions: Math.max(...options.repetitions),
    warmup: options.warmup,
    workers: setting.threads,
    partitions: setting.partitions,
    cacheLimitBytes: Math.floor(options.cacheLimit / setting.cacheShare),
    runStartMs: plan.runStartMs,
    run: { dir: plan.out, id: plan.runId },
    ...(options.endpoint ? { storage: { endpoint: options.endpoint } } : {}),
    ioConcurrency: options.ioConcurrency,
  }));
}

/**
 * A setting's job results into the run's rows, task spans, problems and counts. The rows come back
 * finished (each names its worker: src/pool/worker-slot.ts); only the repetitions asked for are kept.
 */
function gatherResults(results: SpeedtestJobResult[], gathered: Gathered, options: SpeedtestRun): void {
  // The setting's threads, in worker order: resources.csv's cpu_worker_<n> columns follow it.
  const workerOf = new Map(results.flatMap((r) => r.spans.map((sp) => [r.thread, sp.worker] as const)));
  const threads = new Map(results.map((r) => [r.thread, r.tid]));
  gathered.allThreads.push(...[...threads.entries()].filter(([thread]) => workerOf.has(thread)).sort((a, b) => workerOf.get(a[0])! - workerOf.get(b[0])!));
  gathered.rows.push(...results.flatMap((r) => r.rows.filter((row) => options.repetitions.includes(row.repetition))));
  gathered.spans.push(...results.flatMap((r) => r.spans));
  gathered.problems.push(...results.flatMap((r) => r.problems));
  for (const r of results) {
    gathered.requests.merge(r.requests);
    for (const [d, n] of Object.entries(r.reads ?? {})) gathered.reads[d] = (gathered.reads[d] ?? 0) + n;
    for (const [d, n] of Object.entries(r.failed ?? {})) gathered.failed[d] = (gathered.failed[d] ?? 0) + n;
  }
}

type HostRun = Awaited<ReturnType<ReturnType<typeof startHostRecording>['stop']>>;

/** Spans put on their host's clock, everything in task order, and the sampled threads' CPU. */
function assembleRun(gathered: Gathered, hosts: HostRun, monitor: ResourceMonitor) {
  const hostOf = hostOfThread(hosts.hosts);
  for (const span of gathered.spans) {
    const h = hostOf(span.thread);
    if (!h) continue;
    span.host = h.host;
    span.start_ms += h.clockOffsetMs;
    span.end_ms += h.clockOffsetMs;
  }
  gathered.rows.sort((a, b) => a.task - b.task || a.repetition - b.repetition);
  gathered.spans.sort((a, b) => a.task - b.task);
  gathered.problems.sort((a, b) => a.task - b.task);
  // Threads of this process can be sampled; a cluster's remote threads cannot (their CPU is not in resources.csv).
  const localPrefix = `${hostname()}/${process.pid}/`;
  const resources = monitor.rows(gathered.allThreads.map(([thread, tid]) => (thread.startsWith(localPrefix) ? tid : -1)));
  return { resources };
}

/** run.json: the options as run, the machine, the datasets, problems, summary, hosts and requests. */
function runJson(input: {
  plan: SpeedtestPlan; options: SpeedtestRun; gathered: Gathered; monitor: ResourceMonitor; hosts: HostRun;
  summary: SpeedtestSummary; verdict: string | undefined; objectStorage: ObjectStorageFigures | undefined;
}) {
  const { plan, options, gathered, monitor, hosts, summary, verdict, objectStorage } = input;
  const { datasets, caches, workers, partitions, size, channels, tfrecords, tfrecordItems } = plan;
  const { batchSizes, batchNumbers, repetitions, warmup } = options;
  const cacheLimitBytes = options.cacheLimit;
  const { problems, reads, failed } = gathered;
  const cpu = cpus();
  return {
    tool: { name: 'pipeline', version: VERSION },
    command: 'speedtest',
    options: {
      images: options.images,
      tfrecords: options.tfrecords,
      split: options.split,
      imageKey: options.imageKey,
      labelKey: options.labelKey,
      channels,
      maxProblems: options.maxProblems,
      datasets,
      caches,
      batchSizes,
      batchNumbers,
      repetitions,
      warmup,
      cacheLimitBytes,
      workers,
      partitions,
      size,
      sweepWorkers: options.sweepWorkers,
      sweepPartitions: options.sweepPartitions,
    },
    node: process.version,
    cpu: { model: cpu[0]?.model ?? 'unknown', cores: cpu.length },
    memoryBytes: totalmem(),
    start: new Date(plan.runStartMs).toISOString(),
    end: new Date().toISOString(),
    interrupted: gathered.interrupted,
    notes: plan.notes,
    monitor: { intervalMs: RESOURCE_INTERVAL_MS, missingSources: monitor.missing, ...monitor.overhead },
    executor: (options.executor ?? { stats: () => ({ mode: 'local', workers }) }).stats(),
    datasetSizes: { images: plan.images.length, tfrecord: tfrecordItems },
    tfrecords: tfrecords ? tfrecordsJson(plan) : undefined,
    problems: {
      count: problems.length,
      reads,
      failed,
      maxProblems: options.maxProblems,
      verdict: verdict ?? 'within --max-problems',
      first: problems.slice(0, 10).map(describeProblem),
    },
    summary,
    hosts: hostsJson(hosts),
    alarms: hosts.alarms,
    // Requests to s3:// / gs:// (GET, PUT, LIST, DELETE, HEAD, retries), time to first byte and their cost.
    ...(objectStorage ? { objectStorage } : {}),
  };
}

/** run.json's `tfrecords`: the shards read, their keys, and what one item is. */
function tfrecordsJson(plan: SpeedtestPlan) {
  const { tfrecords, shards, tfrecordItems, channels, size } = plan;
  const keys = tfrecords!.keys;
  return {
    files: shards.map((s) => s.path),
    splits: tfrecords!.splits,
    keys,
    items: keys.frames
      ? `one per frame of feature list "${keys.image.key}" (${tfrecordItems} frames in ${shards.reduce((n, s) => n + s.records, 0)} SequenceExamples)`
      : 'one per record',
    channels,
    resized: size ? `image files fitted to ${size.width}x${size.height}` : 'no: images of different sizes are delivered at their own size (ragged batches)',
  };
}

/** The largest pass is bounded in images (the batch's memory is checked as images are decoded: src/speedtest/pass.ts). */
function checkPassBounds(options: SpeedtestRun): void {
  const size = Math.max(...options.batchSizes);
  const number = Math.max(...options.batchNumbers);
  if (size * number > MAX_IMAGES_PER_PASS) {
    throw usageError('--batch-sizes x --batch-numbers', `at most ${MAX_IMAGES_PER_PASS.toLocaleString('en-US')} images per pass`, `${size} x ${number} = ${(size * number).toLocaleString('en-US')}`);
  }
  if (options.size && size * options.size.width * options.size.height * (options.channels ?? DEFAULT_CHANNELS) > MAX_BATCH_BYTES) {
    throw usageError('--batch-sizes', `batches of at most ${MAX_BATCH_BYTES / 2 ** 30} GiB decoded (${Math.floor(MAX_BATCH_BYTES / (options.size.width * options.size.height * (options.channels ?? DEFAULT_CHANNELS)))} images of ${options.size.width}x${options.size.height})`, size);
  }
}

function chosenDatasets(options: SpeedtestRun): DatasetKind[] {
  const datasets = options.datasets ?? (['images', 'tfrecord'] as DatasetKind[]).filter((d) => (d === 'images' ? options.images : options.tfrecords));
  if (datasets.length === 0) throw usageError('--images / --tfrecords', 'at least one dataset folder', 'neither');
  if (datasets.includes('images') && !options.images) throw usageError('--images', 'the image dataset folder', 'nothing');
  if (datasets.includes('tfrecord') && !options.tfrecords) throw usageError('--tfrecords', 'the folder of TFRecord shards', 'nothing');
  return datasets;
}

/** The first problem in one line: where (file, byte offset) and what. */
export function describeProblem(p: Problem): string {
  return `${p.source}${p.offset >= 0 ? ` at byte offset ${p.offset}` : ''}: ${p.error}`;
}

/**
 * Never a silent zero: a dataset that delivered nothing, or more failed reads than --max-problems
 * allows, makes the run a data error (exit 3). Undefined when the run's figures are real.
 */
export function problemVerdict(input: {
  datasets: readonly string[];
  rows: readonly MeasurementRow[];
  problems: readonly Problem[];
  reads: Record<string, number>;
  failed: Record<string, number>;
  maxProblems: { fraction: number } | { count: number };
}): string | undefined {
  const first = input.problems.length ? `; first problem: ${describeProblem(input.problems[0])}` : '';
  for (const dataset of input.datasets) {
    const delivered = input.rows.filter((r) => r.dataset === dataset).reduce((n, r) => n + r.images, 0);
    if (input.rows.some((r) => r.dataset === dataset) && delivered === 0)
      return `the ${dataset} dataset delivered no images${first || ' (no problem was reported)'}`;
  }
  const reads = Object.values(input.reads).reduce((a, b) => a + b, 0);
  const failed = Object.values(input.failed).reduce((a, b) => a + b, 0);
  // A count limits distinct problems (a bad record re-read every epoch is one); a share limits failed reads.
  const distinct = new Set(input.problems.map(describeProblem)).size;
  if ('count' in input.maxProblems) {
    if (distinct > input.maxProblems.count) return `${distinct} problems, over --max-problems ${input.maxProblems.count}${first}`;
  } else if (failed > input.maxProblems.fraction * reads) {
    return `${failed} of ${reads} reads failed (${((100 * failed) / reads).toPrecision(3)}%), over --max-problems ${+(input.maxProblems.fraction * 100).toPrecision(4)}% of reads${first}`;
  }
  return undefined;
}

/** The images' stored size: the convert manifest's, else the one size of the first records; undefined when they differ. */
async function storedSize(targets: string[], sizes: string[] | undefined): Promise<{ width: number; height: number } | undefined> {
  for (const dir of targets.length === 1 ? targets : []) {
    const manifest = isStorageUrl(dir) ? await manifestObject(dir) : await ourManifest(dir);
    const size = manifest?.options.size;
    const m = /^(\d+)x(\d+)$/.exec(typeof size === 'string' ? size : '');
    if (m) return { width: Number(m[1]), height: Number(m[2]) };
  }
  if (!sizes) return { ...DEFAULT_FIT_SIZE };
  const m = sizes.length === 1 ? /^(\d+)x(\d+)$/.exec(sizes[0]) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** A prefix's manifest.json when it is ours (undefined when there is none, or another tool's). */
async function manifestObject(url: string): Promise<Manifest | undefined> {
  const { store, key } = openUrl(url);
  const text = await store.getText(`${key.replace(/\/+$/, '')}${key ? '/' : ''}manifest.json`).catch(() => undefined);
  try {
    const parsed = manifestSchema.safeParse(text === undefined ? undefined : JSON.parse(text));
    return parsed.success && parsed.data.tool.name === 'pipeline' ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
