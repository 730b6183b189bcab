/**
 * Runs on a worker thread: one partition of the speed-test grid. For each task (dataset x cache x
 * batch size x batch number): warm-up passes (not counted; with the cache on they fill it), then
 * one timed pass per repetition, each a measurement row.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { serializeError, type SerializedError } from '../errors.js';
import type { GridTask } from './grid.js';
import { DecodedCache, timedPass } from './pass.js';
import { imageFileSource, tfrecordSource, type ImageSource, type Problem, type Shard } from './sources.js';

export interface SpeedtestJob {
  partition: number;
  tasks: GridTask[];
  images: string[];
  shards: Shard[];
  width: number;
  height: number;
  repetitions: number;
  warmup: number;
  cacheLimitBytes: number;
  /** Epoch milliseconds of the run's start: row times are relative to it. */
  runStartMs: number;
}

export interface MeasurementRow {
  dataset: string;
  cache: string;
  batch_size: number;
  batch_number: number;
  repetition: number;
  data_size: number;
  images: number;
  seconds: number;
  images_per_second: number;
  bytes_read: number;
  workers: number;
  partitions: number;
  task: number;
  worker: number;
  start_ms: number;
  end_ms: number;
  epochs: number;
  cached_images: number;
}

export interface TaskSpan {
  task: number;
  threadId: number;
  start_ms: number;
  end_ms: number;
  rows: number;
  images: number;
}

/** Rows miss `workers`, `partitions` and `worker`: the driver knows them and fills them in. */
export type PartialRow = Omit<MeasurementRow, 'workers' | 'partitions' | 'worker'>;

export interface SpeedtestJobResult {
  /** host/pid/threadId: unique across the machines of a cluster. */
  thread: string;
  threadId: number;
  /** The OS thread id, for the resource monitor's per-thread CPU. */
  tid: number;
  rows: PartialRow[];
  spans: TaskSpan[];
  problems: (Problem & { task: number })[];
  error?: SerializedError;
}

const now = (start: number) => performance.timeOrigin + performance.now() - start;

export async function runSpeedtestJob(job: SpeedtestJob): Promise<SpeedtestJobResult> {
  const result: SpeedtestJobResult = { thread: `${hostname()}/${process.pid}/${threadId}`, threadId, tid: osThreadId(), rows: [], spans: [], problems: [] };
  try {
    for (const task of job.tasks) {
      const started = now(job.runStartMs);
      const onProblem = (p: Problem) => result.problems.push({ ...p, task: task.task });
      const source: ImageSource = task.dataset === 'images' ? imageFileSource(job.images, job.width, job.height, onProblem) : tfrecordSource(job.shards, onProblem);
      const cache = task.cache === 'on' ? new DecodedCache(job.cacheLimitBytes) : undefined;
      for (let w = 0; w < job.warmup; w++) await timedPass(source, task.batchSize, task.batchNumber, cache);
      // Problems seen in warm-up are the same files again in the timed passes: report each once.
      let images = 0;
      for (let repetition = 1; repetition <= job.repetitions; repetition++) {
        const start = now(job.runStartMs);
        const pass = await timedPass(source, task.batchSize, task.batchNumber, cache);
        const end = now(job.runStartMs);
        images += pass.images;
        result.rows.push({
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
          task: task.task,
          start_ms: start,
          end_ms: end,
          epochs: pass.epochs,
          cached_images: pass.cachedImages,
        });
      }
      result.spans.push({ task: task.task, threadId, start_ms: started, end_ms: now(job.runStartMs), rows: job.repetitions, images });
      result.problems = dedupe(result.problems);
    }
  } catch (error) {
    result.error = serializeError(error);
  }
  return result;
}

function dedupe(problems: (Problem & { task: number })[]): (Problem & { task: number })[] {
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
    return Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ')[0]);
  } catch {
    return -1;
  }
}
