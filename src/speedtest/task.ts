/**
 * Runs on a worker thread: one partition of the speed-test grid. For each task (dataset x cache x
 * batch size x batch number): warm-up passes (not counted; with the cache on they fill it), then
 * one timed pass per repetition, each a measurement row.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { GridTask } from './grid.js';
import { DecodedCache, runPasses, type PassResult } from './pass.js';
import { StageClock } from './stages.js';
import { imageFileSource, tfrecordSource, type ImageSource, type Problem, type RecordLayout, type Shard } from './sources.js';
import { PROGRESS_SLOTS, throwIfStopped, type ProgressBuffer } from '../pool/protocol.js';
import type { MeasurementRow, ProblemRow, TaskRow } from '../run-folder/files.js';
import { workerNumber } from '../pool/worker-slot.js';
import { parseProcStat } from '../monitor/proc.js';
import { holdForTest } from '../pool/test-hold.js';
import { takeRequestStats, useStorageConfig, type StorageConfig } from '../storage/object-store.js';
import type { RequestStatsData } from '../storage/request-stats.js';
import { DEFAULT_CHANNELS } from '../options/speedtest-defaults.js';

export interface SpeedtestJob {
  partition: number;
  tasks: GridTask[];
  images: string[];
  shards: Shard[];
  /** The size image files are fitted to; absent: their own (TFRecords of mixed sizes, no --size). */
  width?: number;
  height?: number;
  /** Channels both datasets decode to (the TFRecords' stored channels, or --channels). */
  channels?: number;
  /** The TFRecords' feature keys (detected by the driver). */
  layout?: RecordLayout;
  repetitions: number;
  warmup: number;
  /** The setting this job belongs to (its threads and partitions): written into every row. */
  workers: number;
  partitions: number;
  cacheLimitBytes: number;
  /** Epoch milliseconds of the run's start: row times are relative to it. */
  runStartMs: number;
  /** The run that owns the run folder (its id names the cluster jobs). */
  run?: { dir: string; id: string };
  /** s3:// / gs:// datasets: where requests go, and image GETs in flight per thread (--io-concurrency). */
  storage?: StorageConfig;
  ioConcurrency?: number;
}

/** A measurements row: its columns are declared in src/run-folder/files.ts. */
export type { MeasurementRow } from '../run-folder/files.js';

/**
 * A tasks.csv row as the worker returns it, and the thread that ran it (machine/pid/threadId, not
 * written). Its times are on the worker's clock and its host is empty: the driver, which knows the
 * hosts and their clock offsets, puts it on its own clock (src/speedtest/speedtest.ts, assembleRun).
 */
export type TaskSpan = TaskRow & { host: string; thread: string };

export interface SpeedtestJobResult {
  /** host/pid/threadId: unique across the machines of a cluster. */
  thread: string;
  threadId: number;
  /** The OS thread id, for the resource monitor's per-thread CPU. */
  tid: number;
  /** Finished measurement rows, every repetition run (the driver keeps those asked for). */
  rows: MeasurementRow[];
  spans: TaskSpan[];
  problems: ProblemRow[];
  /** Items read from storage, and how many of them failed (the --max-problems ratio). */
  reads: Record<string, number>;
  failed: Record<string, number>;
  /** Object-storage requests this job made (counts, retries, time-to-first-byte samples). */
  requests?: RequestStatsData;
}

const now = (start: number) => performance.timeOrigin + performance.now() - start;

/** Runs a job's tasks; with `progress`, counts delivered images there and stops at the next image once the driver asks (PROGRESS_SLOTS.stop). */
export async function runSpeedtestJob(job: SpeedtestJob, progress?: ProgressBuffer): Promise<SpeedtestJobResult> {
  const checkStop = progress ? () => throwIfStopped(progress) : undefined;
  const counters = progress ? new Int32Array(progress) : undefined;
  const onImages = counters ? (images: number) => void Atomics.add(counters, PROGRESS_SLOTS.items, images) : undefined;
  useStorageConfig(job.storage);
  takeRequestStats(); // this job's requests only
  const thread = `${hostname()}/${process.pid}/${threadId}`;
  const result: SpeedtestJobResult = { thread, threadId, tid: osThreadId(), rows: [], spans: [], problems: [], reads: {}, failed: {} };
  const runBy: RunBy = { workers: job.workers, partitions: job.partitions, worker: workerNumber() };
  for (const task of job.tasks) {
    const started = now(job.runStartMs);
    const onProblem = (p: Problem) => result.problems.push({ ...p, task: task.task });
    const clock = new StageClock();
    const source = counted(
      task.dataset === 'images' ? imageFileSource(job.images, job.width, job.height, onProblem, clock, job.channels ?? DEFAULT_CHANNELS, job.ioConcurrency) : tfrecordSource(job.shards, onProblem, clock, job.layout),
      (failed) => {
        result.reads[task.dataset] = (result.reads[task.dataset] ?? 0) + 1;
        if (failed) result.failed[task.dataset] = (result.failed[task.dataset] ?? 0) + 1;
      },
      () => holdForTest(progress),
    );
    const cache = task.cache === 'on' ? new DecodedCache(job.cacheLimitBytes) : undefined;
    // Problems seen in warm-up are the same files again in the timed passes: reported once (dedupe).
    const passes = await runPasses(source, {
      batchSize: task.batchSize,
      batchNumber: task.batchNumber,
      warmup: job.warmup,
      repetitions: job.repetitions,
      cache,
      clock,
      checkStop,
      onImages,
    });
    const images = passes.reduce((n, p) => n + p.images, 0);
    passes.forEach((pass, i) => result.rows.push(measurementRow(task, i + 1, pass, job.runStartMs, runBy)));
    result.spans.push({
      task: task.task, worker: runBy.worker, workers: runBy.workers, partitions: runBy.partitions,
      dataset: task.dataset, cache: task.cache, batch_size: task.batchSize, batch_number: task.batchNumber,
      start_ms: started, end_ms: now(job.runStartMs), rows: job.repetitions, images, host: '', thread,
    });
    result.problems = dedupe(result.problems);
  }
  const requests = takeRequestStats();
  if (Object.values(requests.counts).some((n) => n > 0)) result.requests = requests;
  return result;
}

/** Who ran a row: the setting's threads and partitions, and this thread's worker number. */
type RunBy = Pick<MeasurementRow, 'workers' | 'partitions' | 'worker'>;

function measurementRow(task: GridTask, repetition: number, pass: PassResult, runStartMs: number, runBy: RunBy): MeasurementRow {
  const relative = (t: number) => performance.timeOrigin + t - runStartMs;
  const steadySeconds = pass.seconds - pass.firstBatchMs / 1000;
  const { share, busy, wait } = pass.stages;
  return {
    dataset: task.dataset,
    cache: task.cache,
    batch_size: task.batchSize,
    batch_number: task.batchNumber,
    repetition,
    data_size: task.batchSize * task.batchNumber,
    images: pass.images,
    seconds: pass.seconds,
    images_per_second: pass.seconds > 0 ? pass.images / pass.seconds : 0,
    bytes_read: pass.bytesRead,
    workers: runBy.workers,
    partitions: runBy.partitions,
    task: task.task,
    worker: runBy.worker,
    start_ms: relative(pass.startedAt),
    end_ms: relative(pass.endedAt),
    epochs: pass.epochs,
    cached_images: pass.cachedImages,
    first_batch_ms: pass.firstBatchMs,
    steady_images_per_second: pass.images > pass.firstBatchImages && steadySeconds > 0 ? (pass.images - pass.firstBatchImages) / steadySeconds : null,
    read_ms: share.read,
    verify_parse_ms: share.verify_parse,
    decode_ms: share.decode,
    fit_ms: share.fit,
    assembly_ms: share.assembly,
    wait_ms: wait,
    read_busy_ms: busy.read,
    verify_parse_busy_ms: busy.verify_parse,
    decode_busy_ms: busy.decode,
    fit_busy_ms: busy.fit,
    assembly_busy_ms: busy.assembly,
    thread_cpu_ms: Number.isNaN(pass.threadCpuMs) ? null : pass.threadCpuMs,
  };
}

/** The source, counting each item read from storage and whether it failed (`afterRead`: the test hold). */
function counted(source: ImageSource, onRead: (failed: boolean) => void, afterRead: () => Promise<void>): ImageSource {
  return {
    size: source.size,
    async *from(position) {
      for await (const item of source.from(position)) {
        onRead(item.image === null);
        await afterRead();
        yield item;
      }
    },
  };
}

function dedupe(problems: ProblemRow[]): ProblemRow[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.task}\u0000${p.source}\u0000${p.offset}\u0000${p.error}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** This thread's Linux thread id (the name of its /proc/self/task entry); -1 elsewhere. */
function osThreadId(): number {
  try {
    return parseProcStat(readFileSync('/proc/thread-self/stat', 'latin1')).pid;
  } catch {
    return -1;
  }
}
