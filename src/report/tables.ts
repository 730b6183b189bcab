/** Numbers and tables for people: formatting shared by summary.md and report.html. Pure. */
import { summarise } from '../speedtest/summary.js';
import type { MeasurementRow } from '../speedtest/task.js';
import type { ResourceRow } from '../monitor/resource-monitor.js';
import type { TaskRow } from './load-run.js';
import type { RegressionRow } from './regressions.js';

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export const REGRESSION_HEADER = ['dataset', 'cache', 'parameter', 'n', 'slope', 'intercept', 'r', 'r2', 'p_value', 'stderr', 'note'];

export function regressionCells(r: RegressionRow): string[] {
  return [r.dataset, r.cache, r.parameter, String(r.n), fmt(r.slope), fmt(r.intercept), fmt(r.r), fmt(r.r2), fmt(r.p_value, 3), fmt(r.stderr), r.note];
}

export interface KeyFigures {
  medians: { dataset: string; cache: string; median: number; rows: number }[];
  tfrecordVsImages: { cache: string; ratio: number }[];
  cachedVsUncached: { dataset: string; ratio: number }[];
  wallSeconds: { cache: string; seconds: number }[];
  cpu: { meanProcessPercent: number; peakRssMiB: number } | null;
}

/** The speed test's own summary (src/speedtest/summary.ts), as rows for tables, plus CPU use. */
export function keyFigures(rows: readonly MeasurementRow[], tasks: readonly TaskRow[], resources: readonly ResourceRow[]): KeyFigures {
  const summary = summarise(rows, tasks, { out: '', problems: 0, interrupted: false });
  const order = ['images/off', 'images/on', 'tfrecord/off', 'tfrecord/on'];
  const medians = Object.entries(summary.medianImagesPerSecond)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([key, median]) => {
      const [dataset, cache] = key.split('/');
      return { dataset, cache, median, rows: rows.filter((r) => r.dataset === dataset && r.cache === cache).length };
    });
  const present = <K extends string>(record: Record<K, number | null>) => Object.entries(record).filter((e): e is [string, number] => e[1] !== null);
  const cpu = resources.length
    ? { meanProcessPercent: resources.reduce((s, r) => s + r.cpu_process, 0) / resources.length, peakRssMiB: Math.max(...resources.map((r) => r.rss_bytes)) / 2 ** 20 }
    : null;
  return {
    medians,
    tfrecordVsImages: present(summary.tfrecordVsImages).map(([cache, ratio]) => ({ cache, ratio })),
    cachedVsUncached: present(summary.cachedVsUncached).map(([dataset, ratio]) => ({ dataset, ratio })),
    wallSeconds: ['off', 'on'].filter((c) => c in summary.wallSecondsByCache).map((cache) => ({ cache, seconds: summary.wallSecondsByCache[cache] })),
    cpu,
  };
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
