/**
 * The local worker-thread pool (piscina). One task = one partition (convert) or one parameter
 * combination (speedtest), as Spark runs one task per partition.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

/**
 * The built worker entry (dist/src/tasks/worker.js), the one file that knows every task function:
 * the pool loads it by path, never imports it. Worker threads run compiled JavaScript only.
 */
const WORKER_FILE = new URL('../tasks/worker.js', import.meta.url).href;

export function defaultWorkers(): number {
  return availableParallelism();
}

export function createPool(workers: number): Piscina {
  return new Piscina({
    filename: WORKER_FILE,
    minThreads: workers,
    maxThreads: workers,
    // A task per thread at a time: partitions are the unit of scheduling, as in Spark.
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
  });
}
