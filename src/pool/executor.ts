/**
 * Where tasks run: the local thread pool, or (src/cluster/) BullMQ workers on any machine. Commands
 * hand their task list to an executor and get each result back as it completes, so they write the
 * same files whichever runs them.
 */
import { setMaxListeners } from 'node:events';
import type { HostFeed } from '../cluster/host-stream.js';
import { createPool } from './pool.js';
import { deserializeError } from '../errors.js';
import { PROGRESS_SLOTS, type TaskInput, type TaskMessage, type TaskName, type TaskOutcome, type TaskResult } from './protocol.js';

export type { TaskName } from './protocol.js';

export interface Executor {
  /**
   * Runs every task; `onResult` is awaited for each result as it arrives (in completion order).
   * Rejects on the first failure (a task's error comes back with its code and the worker's
   * stack) or when `signal` aborts.
   */
  runAll<N extends TaskName>(name: N, tasks: readonly TaskInput<N>[], onResult: (result: TaskResult<N>, index: number) => Promise<void>, signal?: AbortSignal): Promise<void>;
  /** Items (images) done so far and input kilobytes, for progress. */
  progress(): { items: number; kilobytes: number };
  close(): Promise<void>;
  /** What the run should report about the executor (cluster: retried jobs, Redis time). */
  stats(): Record<string, unknown>;
  /** Cluster mode: starts reading the workers' host samples (src/cluster/host-stream.ts) for one run. */
  hostFeed?(): Promise<HostFeed>;
}

export function localExecutor(workers: number): Executor {
  const pool = createPool(workers);
  const progress = new SharedArrayBuffer(8);
  const counters = new Int32Array(progress);
  return {
    async runAll(name, tasks, onResult, signal) {
      const abort = new AbortController();
      // One listener per pool job: as many as there are tasks.
      setMaxListeners(0, abort.signal);
      const onAbort = () => abort.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.all(
          tasks.map(async (task, index) => {
            try {
              const message: TaskMessage<typeof name> = { input: task, progress };
              const outcome: TaskOutcome<typeof name> = await pool.run(message, { name, signal: abort.signal });
              if (!outcome.ok) throw deserializeError(outcome.error);
              await onResult(outcome.value, index);
            } catch (error) {
              abort.abort(error);
              throw error;
            }
          }),
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    progress: () => ({ items: Atomics.load(counters, PROGRESS_SLOTS.items), kilobytes: Atomics.load(counters, PROGRESS_SLOTS.kilobytes) }),
    close: () => pool.destroy(),
    stats: () => ({ mode: 'local', workers }),
  };
}
