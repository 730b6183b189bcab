/**
 * The speed-test grid, pure: one task per dataset x cache mode x batch size x batch number
 * (repetitions run inside a task), dealt into contiguous partitions as Spark deals a list.
 */
import { partitionRanges } from '../dataset/scan.js';
import type { DatasetKind } from '../options/speedtest.js';

export type { DatasetKind } from '../options/speedtest.js';
export type CacheMode = 'off' | 'on';

export interface GridTask {
  task: number;
  dataset: DatasetKind;
  cache: CacheMode;
  batchSize: number;
  batchNumber: number;
}

export interface Grid {
  datasets: DatasetKind[];
  caches: CacheMode[];
  batchSizes: number[];
  batchNumbers: number[];
}

export function gridTasks(grid: Grid): GridTask[] {
  const tasks: GridTask[] = [];
  for (const dataset of grid.datasets) {
    for (const cache of grid.caches) {
      for (const batchSize of grid.batchSizes) {
        for (const batchNumber of grid.batchNumbers) tasks.push({ task: tasks.length, dataset, cache, batchSize, batchNumber });
      }
    }
  }
  return tasks;
}

/** Tasks dealt into `partitions` contiguous groups; a group is one job on the pool. */
export function partitionTasks<T>(tasks: readonly T[], partitions: number): T[][] {
  return partitionRanges(tasks.length, Math.min(partitions, tasks.length)).map((r) => tasks.slice(r.start, r.end)).filter((g) => g.length > 0);
}
