/** The speed test's summary (its --json result), pure: medians, ratios, wall time per cache mode. */
import { median } from '../stats/median.js';
import type { MeasurementRow } from './files.js';

export interface SpeedtestSummary {
  out: string;
  rows: number;
  interrupted: boolean;
  problems: number;
  /** The first problem in one line (file, byte offset, what), null when there were none. */
  firstProblem?: string | null;
  /** First task start to last task end, per cache mode, seconds. */
  wallSecondsByCache: Record<string, number>;
  /** Median images/s, by "dataset/cache". */
  medianImagesPerSecond: Record<string, number>;
  /** Median TFRecord images/s over median image-file images/s, per cache mode. */
  tfrecordVsImages: Record<string, number | null>;
  /** Median cached over median uncached images/s, per dataset. */
  cachedVsUncached: Record<string, number | null>;
}

export function summarise(
  rows: readonly MeasurementRow[],
  spans: readonly { cache: string; start_ms: number; end_ms: number }[],
  extra: { out: string; problems: number; interrupted: boolean },
): SpeedtestSummary {
  const med: Record<string, number> = {};
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.dataset}/${r.cache}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r.images_per_second);
  }
  for (const [key, values] of groups) med[key] = median(values);
  const wall: Record<string, number> = {};
  for (const cache of new Set(spans.map((s) => s.cache))) {
    const mine = spans.filter((s) => s.cache === cache);
    wall[cache] = (Math.max(...mine.map((s) => s.end_ms)) - Math.min(...mine.map((s) => s.start_ms))) / 1000;
  }
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? a / b : null);
  const tfrecordVsImages: Record<string, number | null> = {};
  const cachedVsUncached: Record<string, number | null> = {};
  for (const cache of ['off', 'on'])
    if (med[`tfrecord/${cache}`] !== undefined || med[`images/${cache}`] !== undefined)
      tfrecordVsImages[cache] = ratio(med[`tfrecord/${cache}`], med[`images/${cache}`]);
  for (const dataset of ['images', 'tfrecord'])
    if (med[`${dataset}/on`] !== undefined || med[`${dataset}/off`] !== undefined)
      cachedVsUncached[dataset] = ratio(med[`${dataset}/on`], med[`${dataset}/off`]);
  return {
    out: extra.out,
    rows: rows.length,
    interrupted: extra.interrupted,
    problems: extra.problems,
    wallSecondsByCache: wall,
    medianImagesPerSecond: med,
    tfrecordVsImages,
    cachedVsUncached,
  };
}
