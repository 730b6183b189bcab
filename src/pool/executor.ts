/**
 * Where tasks run: the local thread pool, or (src/cluster/) BullMQ workers on any machine. Commands
 * hand their task list to an executor and get each result back as it completes, so they write the
 * same files whichever runs them.
 */
import type { HostFeed } from '../hosts/host-feed.js';
import { createPool } from './pool.js';
import { deserializeError } from '../errors.js';
import { newProgressBuffer, PROGRESS_SLOTS, requestStop, type TaskInput, type TaskMessage, type TaskName, type TaskOutcome, type TaskResult } from './protocol.js';

export type { TaskName } from './protocol.js';

export interface Executor {
  /**
   * Runs every task; `onResult` is awaited for each result as it arrives (in completion order).
   * Rejects on the first failure (a task's error comes back with its code and the worker's
   * stack) or when `signal` aborts.
   */
  runAll<N extends TaskName>(
    name: N,
    tasks: readonly TaskInput<N>[],
    onResult: (result: TaskResult<N>, index: number) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Items (images) done so far and input kilobytes, for progress. */
  progress(): { items: number; kilobytes: number };
  close(): Promise<void>;
  /** What the run should report about the executor (cluster: retried jobs, Redis time). */
  stats(): Record<string, unknown>;
  /** Cluster mode: starts reading the workers' host samples (src/cluster/host-stream.ts) for one run. */
  hostFeed?(): Promise<HostFeed>;
}

/** `preload`: the task the threads load their code for as they start (createPool). */
export function localExecutor(workers: number, preload?: TaskName): Executor {
  const pool = createPool(workers, { preload });
  const progress = newProgressBuffer();
  const counters = new Int32Array(progress);
  let closing: Promise<void> | undefined;
  return {
    async runAll(name, tasks, onResult, signal) {
      // Tasks are stopped cooperatively (PROGRESS_SLOTS.stop), never by terminating their thread:
      // on the first failure or an abort every running task ends at its next image and cleans up,
      // and only then does runAll reject.
      requestStop(progress, false);
      let failure: { error: unknown } | undefined;
      const stop = (error: unknown) => {
        failure ??= { error };
        requestStop(progress);
      };
      const onAbort = () => stop(signal?.reason);
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.allSettled(
          tasks.map(async (task, index) => {
            try {
              if (failure) return;
              const message: TaskMessage<typeof name> = { input: task, progress };
              const outcome: TaskOutcome<typeof name> = await pool.run(message, { name });
              if (!outcome.ok) throw deserializeError(outcome.error);
              if (!failure) await onResult(outcome.value, index);
            } catch (error) {
              stop(error);
            }
          }),
        );
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      if (failure) throw signal?.aborted ? signal.reason : failure.error;
    },
    progress: () => ({ items: Atomics.load(counters, PROGRESS_SLOTS.items), kilobytes: Atomics.load(counters, PROGRESS_SLOTS.kilobytes) }),
    // Once: a command may start closing the pool early and await it later.
    close: () => (closing ??= pool.destroy()),
    stats: () => ({ mode: 'local', workers }),
  };
}
