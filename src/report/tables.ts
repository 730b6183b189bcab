/** Numbers and tables for people: formatting shared by summary.md and report.html. Pure. */
import { median } from 'simple-statistics';
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

export function keyFigures(rows: readonly MeasurementRow[], tasks: readonly TaskRow[], resources: readonly ResourceRow[]): KeyFigures {
  const medians: KeyFigures['medians'] = [];
  for (const dataset of ['images', 'tfrecord']) {
    for (const cache of ['off', 'on']) {
      const values = rows.filter((r) => r.dataset === dataset && r.cache === cache).map((r) => r.images_per_second);
      if (values.length) medians.push({ dataset, cache, median: median(values), rows: values.length });
    }
  }
  const m = (d: string, c: string) => medians.find((x) => x.dataset === d && x.cache === c)?.median;
  const tfrecordVsImages = ['off', 'on'].flatMap((cache) => (m('tfrecord', cache) && m('images', cache) ? [{ cache, ratio: m('tfrecord', cache)! / m('images', cache)! }] : []));
  const cachedVsUncached = ['images', 'tfrecord'].flatMap((dataset) => (m(dataset, 'on') && m(dataset, 'off') ? [{ dataset, ratio: m(dataset, 'on')! / m(dataset, 'off')! }] : []));
  const wallSeconds = ['off', 'on'].flatMap((cache) => {
    const mine = tasks.filter((t) => t.cache === cache);
    return mine.length ? [{ cache, seconds: (Math.max(...mine.map((t) => t.end_ms)) - Math.min(...mine.map((t) => t.start_ms))) / 1000 }] : [];
  });
  const cpu = resources.length
    ? { meanProcessPercent: resources.reduce((s, r) => s + r.cpu_process, 0) / resources.length, peakRssMiB: Math.max(...resources.map((r) => r.rss_bytes)) / 2 ** 20 }
    : null;
  return { medians, tfrecordVsImages, cachedVsUncached, wallSeconds, cpu };
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
