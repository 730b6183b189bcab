/**
 * Where the time goes, per dataset x cache mode: each stage's share of the passes' wall time
 * (sums of the per-pass shares over the sum of the wall times), the dominant stage, the median
 * time to the first batch, the median steady-state rate and the worker thread's CPU per image.
 * Runs written before the stage columns existed give nothing. Pure.
 */
import { median } from '../stats/median.js';
import type { MeasurementRow } from '../run-folder/files.js';

export const TIME_PARTS = ['read', 'verify_parse', 'decode', 'fit', 'assembly', 'wait'] as const;
export type TimePart = (typeof TIME_PARTS)[number];

export const PART_LABELS: Record<TimePart, string> = {
  read: 'read',
  verify_parse: 'CRC check + parse',
  decode: 'decode',
  fit: 'fit (resize)',
  assembly: 'batch assembly',
  wait: 'wait',
};

export interface TimeSplit {
  dataset: string;
  cache: string;
  /** Fraction of the wall time, 0..1, per part (they add up to 1). */
  shares: Record<TimePart, number>;
  dominant: TimePart;
  medianFirstBatchMs: number;
  medianSteadyImagesPerSecond: number | null;
  threadCpuSecondsPerImage: number | null;
}

export function timeSplits(rows: readonly MeasurementRow[]): TimeSplit[] {
  const out: TimeSplit[] = [];
  const groups = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.cache}`))].sort();
  for (const key of groups) {
    const [dataset, cache] = key.split('\u0000');
    const group = rows.filter((r) => r.dataset === dataset && r.cache === cache && typeof r.wait_ms === 'number');
    const wall = group.reduce((s, r) => s + r.seconds * 1000, 0);
    if (group.length === 0 || wall <= 0) continue;
    const shares = Object.fromEntries(TIME_PARTS.map((p) => [p, group.reduce((s, r) => s + ((r as unknown as Record<string, number>)[`${p}_ms`] ?? 0), 0) / wall])) as Record<TimePart, number>;
    const dominant = TIME_PARTS.reduce((best, p) => (shares[p] > shares[best] ? p : best), TIME_PARTS[0]);
    const steady = group.map((r) => r.steady_images_per_second).filter((v): v is number => typeof v === 'number');
    const cpuRows = group.filter((r) => typeof r.thread_cpu_ms === 'number');
    const cpuImages = cpuRows.reduce((s, r) => s + r.images, 0);
    out.push({
      dataset,
      cache,
      shares,
      dominant,
      medianFirstBatchMs: median(group.map((r) => r.first_batch_ms ?? NaN)),
      medianSteadyImagesPerSecond: steady.length ? median(steady) : null,
      threadCpuSecondsPerImage: cpuImages > 0 ? cpuRows.reduce((s, r) => s + (r.thread_cpu_ms as number), 0) / 1000 / cpuImages : null,
    });
  }
  return out;
}

/** One sentence per group naming the stage that takes most of the time. */
export function dominantStageSentence(s: TimeSplit): string {
  return `${s.dataset} / cache ${s.cache}: most of the time goes to ${PART_LABELS[s.dominant]} (${(100 * s.shares[s.dominant]).toFixed(0)}% of the passes' wall time).`;
}
