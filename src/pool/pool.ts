/**
 * The local worker-thread pool (piscina). One task = one partition (convert) or one parameter
 * combination (speedtest), as Spark runs one task per partition.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { newSlotRegistry, releaseSlotsExcept } from './worker-slot.js';
import { newRunningCounter } from './running-tasks.js';
import type { TaskName, WorkerStart } from './protocol.js';
import { POOL_IDLE_TIMEOUT_MS } from '../options/intervals.js';
import { followThreadStarts } from './thread-start.js';

/**
 * The built worker entry (dist/src/tasks/worker.js), the one file that knows every task function:
 * the pool loads it by path, never imports it. Worker threads run compiled JavaScript only.
 */
const WORKER_FILE = new URL('../tasks/worker.js', import.meta.url).href;

export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * `numbers`: what each thread slot is called in the rows (cluster mode: the slots the worker
 * process registered); by default the slot itself, 0 to workers - 1 (src/pool/worker-slot.ts).
 * `preload`: the task whose code each thread imports as it starts (src/tasks/worker.ts), before it
 * says it is ready, so that this start-up (about 0.1 s of CPU a thread) runs while the driver is
 * still listing the input, not after the first task is sent.
 */
export function createPool(workers: number, options: { numbers?: readonly number[]; preload?: TaskName } = {}): Piscina {
  const registry = newSlotRegistry(workers, options.numbers);
  const pool = new ThreadPool({
    filename: WORKER_FILE,
    workerData: { slots: registry, running: newRunningCounter(), preload: options.preload } satisfies WorkerStart,
    minThreads: workers,
    maxThreads: workers,
    // A task per thread at a time: partitions are the unit of scheduling, as in Spark.
    concurrentTasksPerWorker: 1,
    // Nothing reads piscina's run and wait time histograms: not kept (a clock read and a histogram
    // update per task, each side).
    recordTiming: false,
    idleTimeout: POOL_IDLE_TIMEOUT_MS,
  });
  // A thread that ends (an error, the idle timeout) frees its slot for the thread that replaces it.
  pool.on('workerDestroy', () => releaseSlotsExcept(registry, new Set(pool.threads.map((t) => t.threadId))));
  return pool;
}

/**
 * piscina's pool, whose destroy() first waits for every live thread to have loaded its code: a
 * thread terminated while a native addon initialises aborts the process (src/pool/thread-start.ts).
 * Every caller (a command's end, a cluster worker's stop, a failed run) goes through it.
 */
class ThreadPool extends Piscina {
  readonly #allStarted = followThreadStarts(this);

  override async destroy(): Promise<void> {
    await this.#allStarted();
    return super.destroy();
  }
}
