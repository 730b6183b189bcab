/**
 * The worker protocol: every task the pool runs, by name, with its input and result types. The
 * local pool, the cluster executor, the cluster worker and the worker entry all use this map, so
 * a task's input and result cannot drift apart. Errors cross threads and Redis as data with their
 * code and stack (src/errors.ts: serializeError / deserializeError).
 */
import { serializeError, type SerializedError } from '../errors.js';
import type { SpeedtestJob, SpeedtestJobResult } from '../speedtest/task.js';
import type { ImageOptions } from '../convert/image.js';
import type { Compression } from '../tfrecord/compression.js';
import type { Skip } from '../dataset/scan.js';

/** Counters shared by all workers (Atomics), read by the driver for progress: see PROGRESS_SLOTS. */
export type ProgressBuffer = SharedArrayBuffer;
export const PROGRESS_SLOTS = { items: 0, kilobytes: 1 } as const;

export interface ConvertTaskFile {
  path: string;
  rel: string;
  label: number;
  className: string;
}

export interface ConvertTask {
  partition: number;
  files: ConvertTaskFile[];
  shardPath: string;
  indexPath: string;
  image: ImageOptions;
  compression: Compression;
  /** Feature keys of the image, the class id and the class name (convert --image-key / --label-key). */
  keys?: { image: string; class: string; label: string };
  /** The run that owns the output folder: the shard is committed only while it still does (src/output/lock.ts). */
  run?: { dir: string; id: string };
}

export interface ConvertPartitionResult {
  partition: number;
  records: number;
  bytes: number;
  fileBytes: number;
  sha256: string;
  skipped: Skip[];
  seconds: number;
}

/** Task name -> input and result: the worker entry (src/pool/worker.ts) exports one function per name. */
export interface Tasks {
  convertPartition: { input: ConvertTask; result: ConvertPartitionResult };
  runSpeedtestJob: { input: SpeedtestJob; result: SpeedtestJobResult };
}

export type TaskName = keyof Tasks;
export type TaskInput<N extends TaskName> = Tasks[N]['input'];
export type TaskResult<N extends TaskName> = Tasks[N]['result'];

const TASK_NAMES: Record<TaskName, true> = { convertPartition: true, runSpeedtestJob: true };

/** A job name read from Redis is one of ours (anything else is refused, not run). */
export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(TASK_NAMES, name);
}

/** What a worker thread receives: the task's input and the counters shared for progress. */
export type TaskMessage<N extends TaskName> = { input: TaskInput<N>; progress: ProgressBuffer };

/** What comes back from a worker thread: the result, or the error as data. */
export type TaskOutcome<N extends TaskName> = { ok: true; value: TaskResult<N> } | { ok: false; error: SerializedError };

/** A task function as the worker entry exports it: never throws, its errors come back as data. */
export type TaskHandler<N extends TaskName> = (message: TaskMessage<N>) => Promise<TaskOutcome<N>>;

/** Wraps a task function (which throws as any code does) into the protocol's handler. */
export function taskHandler<N extends TaskName>(run: (input: TaskInput<N>, progress: ProgressBuffer) => Promise<TaskResult<N>>): TaskHandler<N> {
  return async (message) => {
    try {
      return { ok: true, value: await run(message.input, message.progress) };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  };
}
