/**
 * The report's charts as Vega-Lite specifications, rendered headless to SVG by Vega (no browser,
 * no canvas) and to PNG by sharp (librsvg). Pure spec builders; one render function.
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { MeasurementRow } from '../speedtest/task.js';
import type { ResourceRow } from '../monitor/resource-monitor.js';
import type { TaskRow } from './load-run.js';
import { PARAMETERS, type RegressionRow } from './regressions.js';

export interface Chart {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const series = (r: { dataset: string; cache: string }) => `${r.dataset} / cache ${r.cache}`;

export function throughputBars(rows: readonly MeasurementRow[]): Chart[] {
  return PARAMETERS.map((parameter) => ({
    name: `bars-${parameter}`,
    title: `Mean throughput per ${parameter} value`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: rows.map((r) => ({ value: r[parameter], series: series(r), ips: r.images_per_second })) },
      mark: 'bar',
      width: 360,
      height: 220,
      encoding: {
        x: { field: 'value', type: 'ordinal', title: parameter },
        xOffset: { field: 'series' },
        y: { aggregate: 'mean', field: 'ips', type: 'quantitative', title: 'images/s (mean)', scale: { type: 'log' } },
        color: { field: 'series', type: 'nominal', title: 'dataset / cache' },
      },
    } as TopLevelSpec,
  }));
}

export function scatterWithFits(rows: readonly MeasurementRow[], fits: readonly RegressionRow[]): Chart[] {
  return PARAMETERS.map((parameter) => {
    const lines = fits
      .filter((f) => f.parameter === parameter && f.slope !== null)
      .flatMap((f) => {
        const xs = rows.filter((r) => r.dataset === f.dataset && r.cache === f.cache).map((r) => r[parameter]);
        const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
        return [lo, hi].map((x) => ({ x, y: f.intercept! + f.slope! * x, series: series(f) }));
      });
    return {
      name: `scatter-${parameter}`,
      title: `Throughput against ${parameter}, with least-squares lines`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 360,
        height: 220,
        layer: [
          {
            data: { values: rows.map((r) => ({ x: r[parameter], y: r.images_per_second, series: series(r) })) },
            mark: { type: 'point', filled: true, opacity: 0.6 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: parameter },
              y: { field: 'y', type: 'quantitative', title: 'images/s' },
              color: { field: 'series', type: 'nominal', title: 'dataset / cache' },
            },
          },
          {
            data: { values: lines },
            mark: { type: 'line', strokeWidth: 2 },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'series', type: 'nominal' }, detail: { field: 'series' } },
          },
        ],
      } as TopLevelSpec,
    };
  });
}

export function cachedVsUncached(rows: readonly MeasurementRow[]): Chart {
  return {
    name: 'cached-vs-uncached',
    title: 'Cached vs uncached: median throughput per dataset',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: rows.map((r) => ({ dataset: r.dataset, cache: r.cache, ips: r.images_per_second })) },
      mark: 'bar',
      width: 300,
      height: 220,
      encoding: {
        x: { field: 'dataset', type: 'nominal' },
        xOffset: { field: 'cache' },
        y: { aggregate: 'median', field: 'ips', type: 'quantitative', title: 'images/s (median, log scale)', scale: { type: 'log' } },
        color: { field: 'cache', type: 'nominal', title: 'cache' },
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
          x: { field: 't', type: 'quantitative', title: 'seconds' },
          y: { field: 'cpu', type: 'quantitative', title: 'CPU %' },
          color: { field: 'thread', type: 'nominal' },
        },
      } as TopLevelSpec,
    },
    {
      name: 'memory-over-time',
      title: 'Resident memory over time',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: resources.map((r) => ({ t: r.elapsed_ms / 1000, mib: r.rss_bytes / 2 ** 20 })) },
        mark: 'area',
        width: 560,
        height: 160,
        encoding: { x: { field: 't', type: 'quantitative', title: 'seconds' }, y: { field: 'mib', type: 'quantitative', title: 'RSS (MiB)' } },
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
        x: { field: 'start', type: 'quantitative', title: 'seconds' },
        x2: { field: 'end' },
        color: { field: 'series', type: 'nominal', title: 'dataset / cache' },
        tooltip: [{ field: 'task' }, { field: 'series' }],
      },
    } as TopLevelSpec,
  };
}

/** Shared look: legends wide enough for "tfrecord / cache off", axes not forced through zero. */
const CONFIG = { legend: { labelLimit: 320 }, scale: { zero: false }, font: 'DejaVu Sans, Verdana, sans-serif' };

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile({ ...spec, config: { ...CONFIG, ...(spec as { config?: object }).config } } as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
