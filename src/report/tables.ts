/** Numbers and tables for people: formatting shared by summary.md and report.html. Pure. */
import { summarise } from '../run-folder/summary.js';
import type { MeasurementRow, ResourceRow, TaskRow } from '../run-folder/files.js';
import { fmt } from '../format/text.js';
import type { RegressionRow } from './regressions.js';
import type { MultiRegressionRow } from './regressions-multi.js';
import { PART_LABELS, TIME_PARTS, type TimeSplit } from './time-split.js';
import { medianInterval } from '../stats/bootstrap.js';

export const REGRESSION_HEADER = ['dataset', 'cache', 'parameter', 'n', 'slope', 'slope 95% CI', 'intercept', 'r', 'r2', 'p_value', 'stderr', 'note'];

const range = (lo: number | null | undefined, hi: number | null | undefined, digits = 4) => (lo === null || lo === undefined || hi === null || hi === undefined ? '' : `${fmt(lo, digits)} to ${fmt(hi, digits)}`);

export function regressionCells(r: RegressionRow): string[] {
  return [
    r.dataset,
    r.cache,
    r.parameter,
    String(r.n),
    fmt(r.slope),
    range(r.slope_ci_low, r.slope_ci_high),
    fmt(r.intercept),
    fmt(r.r),
    fmt(r.r2),
    fmt(r.p_value, 3),
    fmt(r.stderr),
    r.note,
  ];
}

export const MULTI_HEADER = ['dataset', 'cache', 'term', 'coefficient', '95% CI', 'stderr', 't', 'p_value', 'VIF', 'n', 'r2', 'adjusted r2', 'note'];

/** Model-wide cells (n, r2, note) on the model's first row only, for people; the CSV repeats them. */
export function multiCells(r: MultiRegressionRow, i: number, all: readonly MultiRegressionRow[]): string[] {
  const first = i === 0 || all[i - 1].dataset !== r.dataset || all[i - 1].cache !== r.cache;
  return [r.dataset, r.cache, r.term, fmt(r.coefficient), range(r.ci_low, r.ci_high), fmt(r.stderr), fmt(r.t), fmt(r.p_value, 3), fmt(r.vif, 3), first ? String(r.n) : '', first ? fmt(r.r2) : '', first ? fmt(r.adjusted_r2) : '', first ? r.note : ''];
}

export const MEDIAN_HEADER = ['dataset', 'cache', 'median images/s', '95% CI (bootstrap)', 'passes'];

export function medianCells(m: KeyFigures['medians'][number]): string[] {
  return [m.dataset, m.cache, fmt(m.median, 5), m.ci ? range(m.ci[0], m.ci[1], 5) : '', String(m.rows)];
}

export const TIME_HEADER = ['dataset', 'cache', ...TIME_PARTS.map((p) => `${PART_LABELS[p]} %`), 'first batch (ms, median)', 'steady images/s (median)', 'thread CPU s / image'];

export function timeCells(s: TimeSplit): string[] {
  return [
    s.dataset,
    s.cache,
    ...TIME_PARTS.map((p) => (100 * s.shares[p]).toFixed(1)),
    fmt(s.medianFirstBatchMs, 4),
    fmt(s.medianSteadyImagesPerSecond, 5),
    fmt(s.threadCpuSecondsPerImage, 3),
  ];
}

export interface KeyFigures {
  /** ci: 95% percentile bootstrap interval of the median (BOOTSTRAP's seed and resamples); null under 2 passes. */
  medians: { dataset: string; cache: string; median: number; ci: [number, number] | null; rows: number }[];
  tfrecordVsImages: { cache: string; ratio: number }[];
  cachedVsUncached: { dataset: string; ratio: number }[];
  wallSeconds: { cache: string; seconds: number }[];
  /** cpuSecondsPerImage: the monitor's process CPU over the run / images of the timed passes (warm-up CPU included). */
  cpu: { meanProcessPercent: number; peakRssMiB: number; cpuSecondsPerImage: number | null } | null;
}

/** The speed test's own summary (src/run-folder/summary.ts), as rows for tables, plus CPU use. */
export function keyFigures(rows: readonly MeasurementRow[], tasks: readonly TaskRow[], resources: readonly ResourceRow[]): KeyFigures {
  const summary = summarise(rows, tasks, { out: '', problems: 0, interrupted: false });
  const order = ['images/off', 'images/on', 'tfrecord/off', 'tfrecord/on'];
  const medians = Object.entries(summary.medianImagesPerSecond)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([key, median]) => {
      const [dataset, cache] = key.split('/');
      const values = rows.filter((r) => r.dataset === dataset && r.cache === cache).map((r) => r.images_per_second);
      return { dataset, cache, median, ci: medianInterval(values), rows: values.length };
    });
  const present = <K extends string>(record: Record<K, number | null>) => Object.entries(record).filter((e): e is [string, number] => e[1] !== null);
  let cpuSeconds = 0;
  for (let i = 1; i < resources.length; i++)
    cpuSeconds += ((resources[i].cpu_process || 0) / 100) * ((resources[i].elapsed_ms - resources[i - 1].elapsed_ms) / 1000);
  const images = rows.reduce((n, r) => n + r.images, 0);
  const cpu = resources.length
    ? {
        meanProcessPercent: resources.reduce((s, r) => s + r.cpu_process, 0) / resources.length,
        peakRssMiB: Math.max(...resources.map((r) => r.rss_bytes)) / 2 ** 20,
        cpuSecondsPerImage: images > 0 && cpuSeconds > 0 ? cpuSeconds / images : null,
      }
    : null;
  return {
    medians,
    tfrecordVsImages: present(summary.tfrecordVsImages).map(([cache, ratio]) => ({ cache, ratio })),
    cachedVsUncached: present(summary.cachedVsUncached).map(([dataset, ratio]) => ({ dataset, ratio })),
    wallSeconds: ['off', 'on'].filter((c) => c in summary.wallSecondsByCache).map((cache) => ({ cache, seconds: summary.wallSecondsByCache[cache] })),
    cpu,
  };
}
