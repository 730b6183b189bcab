/**
 * Scaling points from a speed-test run's passes (pure): the system throughput of each worker
 * count is the median per-pass images/s times the threads that ran such passes at once (every
 * thread runs one pass at a time, so the system delivers the sum of its threads' rates).
 */
import { median } from '../stats/median.js';
import type { MeasurementRow } from '../run-folder/files.js';

export interface ThroughputPoint {
  workers: number;
  throughput: number;
}

export function systemThroughput(rows: readonly Pick<MeasurementRow, 'workers' | 'images_per_second'>[], tasksBySetting: ReadonlyMap<number, number>): ThroughputPoint[] {
  const byWorkers = new Map<number, number[]>();
  for (const r of rows) {
    const rates = byWorkers.get(r.workers);
    if (rates) rates.push(r.images_per_second);
    else byWorkers.set(r.workers, [r.images_per_second]);
  }
  return [...byWorkers.entries()]
    .map(([workers, rates]) => ({ workers, throughput: Math.min(workers, tasksBySetting.get(workers) ?? workers) * median(rates) }))
    .sort((a, b) => a.workers - b.workers);
}

/** Tasks run per worker setting, from tasks.csv rows. */
export function tasksPerSetting(tasks: readonly { workers?: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tasks) out.set(t.workers ?? 0, (out.get(t.workers ?? 0) ?? 0) + 1);
  return out;
}
