/**
 * The report's charts as Vega-Lite specifications: pure spec builders (src/charts/ renders them).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from '../charts/render.js';
import type { MeasurementRow } from '../run-folder/files.js';
import type { ResourceRow } from '../run-folder/files.js';
import type { TaskRow } from '../run-folder/files.js';
import { PARAMETERS, type RegressionRow } from './regressions.js';
import { PART_LABELS, TIME_PARTS, type TimeSplit } from './time-split.js';

const series = (r: { dataset: string; cache: string }) => `${r.dataset} / cache ${r.cache}`;

/**
 * Cached passes run at tens of thousands of images/s and uncached ones at hundreds: on one axis the
 * slow series sit flat on zero. So per-series charts are small multiples, one panel per dataset x
 * cache mode, each with its own y scale starting at zero (axes are labelled with their units).
 */
const PANEL = { width: 200, height: 150 };
const panels = (columns: number) => ({ columns, resolve: { scale: { y: 'independent' } } });

export function throughputBars(rows: readonly MeasurementRow[]): Chart[] {
  return PARAMETERS.map((parameter) => ({
    name: `bars-${parameter}`,
    title: `Mean throughput per ${parameter} value, one panel per dataset / cache (own y scale)`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: rows.map((r) => ({ value: r[parameter], series: series(r), ips: r.images_per_second })) },
      facet: { field: 'series', type: 'nominal', title: null },
      ...panels(4),
      spec: {
        ...PANEL,
        mark: 'bar',
        encoding: {
          x: { field: 'value', type: 'ordinal', title: parameter },
          y: { aggregate: 'mean', field: 'ips', type: 'quantitative', title: 'images/s (mean)', scale: { zero: true }, stack: null },
          color: { field: 'series', type: 'nominal', title: 'dataset / cache', legend: null },
        },
      },
    } as TopLevelSpec,
  }));
}

/**
 * Points drawn per scatter chart at most: past this the picture does not change, but the SVG and
 * its PNG grow with every point (100,000 passes took minutes to rasterise). An even, deterministic
 * sample is drawn and the title says so; the fitted lines use every pass.
 */
export const MAX_SCATTER_POINTS = 500;

export function scatterWithFits(rows: readonly MeasurementRow[], fits: readonly RegressionRow[]): Chart[] {
  const step = Math.ceil(rows.length / MAX_SCATTER_POINTS);
  const drawn = step > 1 ? rows.filter((_, i) => i % step === 0) : rows;
  const sampled = step > 1 ? ` (every ${step}th of ${rows.length} passes drawn)` : '';
  return PARAMETERS.map((parameter) => {
    const lines = fits
      .filter((f) => f.parameter === parameter && f.slope !== null)
      .flatMap((f) => {
        let [lo, hi] = [Infinity, -Infinity];
        for (const r of rows) if (r.dataset === f.dataset && r.cache === f.cache) [lo, hi] = [Math.min(lo, r[parameter]), Math.max(hi, r[parameter])];
        return [lo, hi].map((x) => ({ kind: 'fit', x, y: f.intercept! + f.slope! * x, series: series(f) }));
      });
    const points = drawn.map((r) => ({ kind: 'pass', x: r[parameter], y: r.images_per_second, series: series(r) }));
    return {
      name: `scatter-${parameter}`,
      title: `Throughput against ${parameter} with the least-squares line, one panel per dataset / cache (own y scale)${sampled}`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: [...points, ...lines] },
        facet: { field: 'series', type: 'nominal', title: null },
        ...panels(4),
        spec: {
          ...PANEL,
          layer: [
            {
              transform: [{ filter: "datum.kind === 'pass'" }],
              mark: { type: 'point', filled: true, opacity: 0.6 },
              encoding: {
                x: { field: 'x', type: 'quantitative', title: parameter },
                y: { field: 'y', type: 'quantitative', title: 'images/s', scale: { zero: true } },
                color: { field: 'series', type: 'nominal', legend: null },
              },
            },
            {
              transform: [{ filter: "datum.kind === 'fit'" }],
              mark: { type: 'line', strokeWidth: 2, color: '#333' },
              encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
            },
          ],
        },
      } as TopLevelSpec,
    };
  });
}

export function cachedVsUncached(rows: readonly MeasurementRow[]): Chart {
  return {
    name: 'cached-vs-uncached',
    title: 'Cached vs uncached: median throughput, one panel per dataset (own y scale)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: rows.map((r) => ({ dataset: r.dataset, cache: `cache ${r.cache}`, ips: r.images_per_second })) },
      facet: { field: 'dataset', type: 'nominal', title: null },
      ...panels(2),
      spec: {
        width: 160,
        height: 180,
        mark: 'bar',
        encoding: {
          x: { field: 'cache', type: 'nominal', title: null },
          y: { aggregate: 'median', field: 'ips', type: 'quantitative', title: 'images/s (median)', scale: { zero: true }, stack: null },
          color: { field: 'cache', type: 'nominal', title: 'cache' },
        },
      },
    } as TopLevelSpec,
  };
}

/** A stacked bar per dataset x cache mode: each stage's share of the passes' wall time. */
export function whereTimeGoes(splits: readonly TimeSplit[]): Chart {
  return {
    name: 'where-time-goes',
    title: "Where the time goes: each stage's share of the passes' wall time (%)",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: {
        values: splits.flatMap((s) => TIME_PARTS.map((part, order) => ({ series: series(s), stage: PART_LABELS[part], order, percent: 100 * s.shares[part] }))),
      },
      mark: 'bar',
      width: 560,
      height: { step: 30 },
      encoding: {
        y: { field: 'series', type: 'nominal', title: null },
        x: { field: 'percent', type: 'quantitative', title: '% of wall time', stack: 'zero', scale: { domain: [0, 100] } },
        color: { field: 'stage', type: 'nominal', title: 'stage', sort: TIME_PARTS.map((p) => PART_LABELS[p]) },
        order: { field: 'order' },
        tooltip: [{ field: 'series' }, { field: 'stage' }, { field: 'percent', format: '.1f' }],
      },
    } as TopLevelSpec,
  };
}

export function resourcesOverTime(resources: readonly ResourceRow[]): Chart[] {
  const cpuColumns = resources.length ? Object.keys(resources[0]).filter((k) => k.startsWith('cpu_')) : [];
  return [
    {
      name: 'cpu-over-time',
      title: 'CPU use over time (100 = one core): process, main thread, each worker, other threads',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: resources.flatMap((r) => cpuColumns.map((c) => ({ t: r.elapsed_ms / 1000, thread: c.replace(/^cpu_/, ''), cpu: (r as unknown as Record<string, number>)[c] }))) },
        mark: { type: 'line', interpolate: 'step-after' },
        width: 560,
        height: 220,
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time since start (s)' },
          y: { field: 'cpu', type: 'quantitative', title: 'CPU % (100 = one core)', scale: { zero: true } },
          color: { field: 'thread', type: 'nominal' },
        },
      } as TopLevelSpec,
    },
    {
      name: 'memory-over-time',
      title: 'Resident memory over time (MiB)',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: resources.map((r) => ({ t: r.elapsed_ms / 1000, mib: r.rss_bytes / 2 ** 20 })) },
        mark: 'area',
        width: 560,
        height: 160,
        encoding: { x: { field: 't', type: 'quantitative', title: 'time since start (s)' }, y: { field: 'mib', type: 'quantitative', title: 'RSS (MiB)', scale: { zero: true } } },
      } as TopLevelSpec,
    },
  ];
}

export function taskTimeline(tasks: readonly TaskRow[]): Chart {
  return {
    name: 'task-timeline',
    title: 'Tasks per worker over time (gaps are idle threads)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: tasks.map((t) => ({ worker: `worker ${t.worker}`, start: t.start_ms / 1000, end: t.end_ms / 1000, series: series(t), task: t.task })) },
      mark: { type: 'bar', stroke: 'white', strokeWidth: 1 },
      width: 560,
      height: { step: 28 },
      encoding: {
        y: { field: 'worker', type: 'nominal', title: null },
        x: { field: 'start', type: 'quantitative', title: 'time since start (s)' },
        x2: { field: 'end' },
        color: { field: 'series', type: 'nominal', title: 'dataset / cache' },
        tooltip: [{ field: 'task' }, { field: 'series' }],
      },
    } as TopLevelSpec,
  };
}
