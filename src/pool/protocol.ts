/**
 * The worker protocol: every task the pool runs, by name, with its input and result types (the
 * registry `Tasks`). The local pool, the cluster executor, the cluster worker and the worker entry
 * all use this map, so a task's input and result cannot drift apart. Errors cross threads and Redis as data with their
 * code and stack (src/errors.ts: serializeError / deserializeError).
 */
import { PipelineError, serializeError, type SerializedError } from '../errors.js';
import type { SlotRegistry } from './worker-slot.js';

/**
 * Int32 slots shared by the driver and all workers (Atomics): progress counters the driver reads,
 * and `stop`, which the driver sets to ask running tasks to end at their next image. Tasks are
 * stopped this way, never by terminating their thread: a native addon (sharp, libjpeg-turbo)
 * whose work completes on a terminating thread aborts the whole process (node-addon-api throws
 * Napi::Error there), and a terminated task could not remove its temporary shard.
 */
export type ProgressBuffer = SharedArrayBuffer;
export const PROGRESS_SLOTS = { items: 0, kilobytes: 1, stop: 2 } as const;

export function newProgressBuffer(): ProgressBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * Object.keys(PROGRESS_SLOTS).length);
}

/** Asks every task that shares `progress` to stop at its next image (see PROGRESS_SLOTS). */
export function requestStop(progress: ProgressBuffer, stop = true): void {
  const slots = new Int32Array(progress);
  Atomics.store(slots, PROGRESS_SLOTS.stop, stop ? 1 : 0);
  // Wakes a task waiting on the slot (src/pool/test-hold.ts).
  Atomics.notify(slots, PROGRESS_SLOTS.stop);
}

/** True once the driver asked the tasks to stop. */
export function stopRequested(progress: ProgressBuffer): boolean {
  return Atomics.load(slotsOf(progress), PROGRESS_SLOTS.stop) === 1;
}

/** The last buffer's Int32 view: tasks ask `stopRequested` once per image, of the same buffer. */
let viewed: { buffer: ProgressBuffer; slots: Int32Array } | undefined;
function slotsOf(progress: ProgressBuffer): Int32Array {
  if (viewed?.buffer !== progress) viewed = { buffer: progress, slots: new Int32Array(progress) };
  return viewed.slots;
}

/** Throws ABORTED when the driver asked the tasks to stop: called by tasks between images. */
export function throwIfStopped(progress: ProgressBuffer): void {
  if (stopRequested(progress)) throw new PipelineError('ABORTED', 'task stopped: the run is ending');
}

/**
 * The task registry: task name -> input and result. Empty here: each domain registers its tasks
 * by declaration merging beside their types (src/convert/task-types.ts,
 * src/speedtest/task-types.ts), and the worker entry (src/tasks/worker.ts) implements every one.
 * The pool, the executors and the cluster worker know tasks only through this interface.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Tasks {}

export type TaskName = keyof Tasks;
export type TaskInput<N extends TaskName> = Tasks[N]['input'];
export type TaskResult<N extends TaskName> = Tasks[N]['result'];

/**
 * What each worker thread is given as it starts (its `workerData`): the pool's slot registry
 * (src/pool/worker-slot.ts), the count of tasks running on the pool's threads
 * (src/pool/running-tasks.ts) and the task whose code it loads at once.
 */
export type WorkerStart = { slots: SlotRegistry; running: SharedArrayBuffer; preload?: TaskName };

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
