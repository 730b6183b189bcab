/**
 * The local worker-thread pool (piscina). One task = one partition (convert) or one parameter
 * combination (speedtest), as Spark runs one task per partition.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { TaskName, WorkerStart } from './protocol.js';

/**
 * The built worker entry (dist/src/tasks/worker.js), the one file that knows every task function:
 * the pool loads it by path, never imports it. Worker threads run compiled JavaScript only.
 */
const WORKER_FILE = new URL('../tasks/worker.js', import.meta.url).href;

export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * `preload`: the task whose code each thread imports as it starts (src/tasks/worker.ts), before it
 * says it is ready, so that this start-up (about 0.1 s of CPU a thread) runs while the driver is
 * still listing the input, not after the first task is sent.
 */
export function createPool(workers: number, preload?: TaskName): Piscina {
  return new Piscina({
    filename: WORKER_FILE,
    workerData: { preload } satisfies WorkerStart,
    minThreads: workers,
    maxThreads: workers,
    // A task per thread at a time: partitions are the unit of scheduling, as in Spark.
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
  });
}
