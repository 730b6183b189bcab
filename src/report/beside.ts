/**
 * `report RUN --beside OTHER`: the same grid measured in two places (data on local disk, data in a
 * bucket) side by side, so the reader sees where a TFRecord/images ratio such as the study's 70x
 * comes from. Pure but for `besideRun` (loads the other run); the tables, the chart and the
 * summary/page sections are built from the two runs' measurements.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from '../charts/render.js';
import { PipelineError } from '../errors.js';
import { loadRun, type Run } from '../run-folder/load-run.js';
import type { BesideRow } from '../run-folder/files.js';
import { summarise } from '../run-folder/summary.js';
import type { ObjectStorageFigures } from '../storage/request-stats.js';
import { isStorageUrl } from '../storage/url.js';
import { fmt, markdownTable } from '../format/text.js';

/** One beside.csv row: run is 'this' (the run reported on) or 'beside'; where: 'local disk', 'bucket' or both. */
export type { BesideRow };

/** The other run, loaded; a folder that is no run is a usage error naming --beside (exit 2). */
export async function besideRun(dir: string): Promise<Run> {
  try {
    return await loadRun(dir);
  } catch (error) {
    if (error instanceof PipelineError && error.code === 'NOT_FOUND') {
      throw new PipelineError('USAGE', `--beside: ${dir} is not a run folder (no measurements.arrow); expected a folder written by pipeline speedtest`, { path: dir, cause: error });
    }
    throw error;
  }
}

const datasetLocation = (info: Record<string, any>, dataset: string): string => {
  const value = dataset === 'images' ? info.options?.images : info.options?.tfrecords;
  return (Array.isArray(value) ? value.join(', ') : value) ?? '';
};

/** 'bucket' when every dataset of the run was an s3:// / gs:// URL, 'local disk' when none was. */
export function whereDataLived(info: Record<string, any>): string {
  const places = [info.options?.images, info.options?.tfrecords].flat().filter((v): v is string => typeof v === 'string');
  const remote = places.filter((p) => isStorageUrl(p)).length;
  return remote === 0 ? 'local disk' : remote === places.length ? 'bucket' : 'local disk + bucket';
}

/** The rows of one run, in the order images/off, images/on, tfrecord/off, tfrecord/on. */
function runRows(run: Run, which: Which): BesideRow[] {
  const summary = summarise(run.measurements, [], { out: '', problems: 0, interrupted: false });
  const storage = run.info.objectStorage as ObjectStorageFigures | undefined;
  const rows: BesideRow[] = [];
  for (const dataset of ['images', 'tfrecord']) {
    for (const cache of ['off', 'on']) {
      const median = summary.medianImagesPerSecond[`${dataset}/${cache}`];
      if (median === undefined) continue;
      rows.push({
        run: which, run_dir: run.dir, where: whereDataLived(run.info), dataset, cache, location: datasetLocation(run.info, dataset),
        passes: run.measurements.filter((r) => r.dataset === dataset && r.cache === cache).length,
        median_images_per_second: median, tfrecord_vs_images: summary.tfrecordVsImages[cache] ?? null,
        get_requests: storage?.get ?? null, list_requests: storage?.list ?? null, ttfb_p50_ms: storage?.ttfb_p50_ms ?? null,
      });
    }
  }
  return rows;
}

export interface Beside {
  rows: BesideRow[];
  markdown: string;
  html: string;
  chart: Chart;
}

type Which = 'this' | 'beside';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const htmlTable = (header: string[], rows: string[][]) =>
  `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

/** The beside section of a report: this run and `other`, the same grid in two places. */
export function besideSection(self: Run, other: Run): Beside {
  const rows = [...runRows(self, 'this'), ...runRows(other, 'beside')];
  const label = (which: Which, run: Run) => `${which === 'this' ? 'this run' : 'beside'} (${whereDataLived(run.info)})`;
  const [a, b] = [label('this', self), label('beside', other)];
  const find = (which: Which, dataset: string, cache: string) => rows.find((r) => r.run === which && r.dataset === dataset && r.cache === cache);
  const cells = (r: BesideRow | undefined) => (r ? fmt(r.median_images_per_second, 5) : '');
  const keys = [...new Set(rows.map((r) => `${r.dataset}/${r.cache}`))];
  const grid = keys.map((key) => {
    const [dataset, cache] = key.split('/');
    const [x, y] = [find('this', dataset, cache), find('beside', dataset, cache)];
    return [dataset, cache, cells(x), cells(y), x && y && x.median_images_per_second > 0 ? `${fmt(y.median_images_per_second / x.median_images_per_second, 3)}x` : ''];
  });
  const caches = [...new Set(rows.map((r) => r.cache))];
  const ratio = (which: Which, cache: string) => {
    const r = rows.find((x) => x.run === which && x.cache === cache)?.tfrecord_vs_images;
    return r === null || r === undefined ? '' : `${fmt(r, 3)}x`;
  };
  const ratios = caches.map((cache) => [cache, ratio('this', cache), ratio('beside', cache)]);
  const runs = ([['this', self], ['beside', other]] as const).map(([which, run]) => {
    const s = run.info.objectStorage as ObjectStorageFigures | undefined;
    const places = ['images', 'tfrecord'].map((d) => datasetLocation(run.info, d)).filter(Boolean).join('; ');
    return [label(which, run), run.dir, places, s ? `${s.get} GET, ${s.head} HEAD, ${s.list} LIST` : '', s?.ttfb_p50_ms != null ? `${fmt(s.ttfb_p50_ms, 3)} ms` : ''];
  });

  const GRID = ['dataset', 'cache', `${a} images/s (median)`, `${b} images/s (median)`, 'beside / this'];
  const RATIO = ['cache', `TFRecord / images, ${a}`, `TFRecord / images, ${b}`];
  const RUNS = ['run', 'folder', 'data', 'requests', 'TTFB p50'];
  const note = 'The same grid in two places. On a bucket every image file costs a request and waits its time to first byte, while a TFRecord shard is a few streamed GETs: the longer the TTFB, the more the TFRecord/images ratio favours TFRecords. Medians per dataset x cache; every number is also in beside.csv.';
  const markdown = ['', '## Beside another run', '', markdownTable(RUNS, runs), '', markdownTable(GRID, grid), '', markdownTable(RATIO, ratios), '', note, ''].join('\n');
  const html = `<h2>Beside another run</h2>\n${htmlTable(RUNS, runs)}\n${htmlTable(GRID, grid)}\n${htmlTable(RATIO, ratios)}\n<p class="small">${escape(note)}</p>`;
  return { rows, markdown, html, chart: ratioChart(rows, { this: a, beside: b }) };
}

/** TFRecord/images per location, a bar per cache mode. */
function ratioChart(rows: readonly BesideRow[], labels: Record<Which, string>): Chart {
  const values = rows.filter((r) => r.dataset === 'tfrecord' && r.tfrecord_vs_images !== null).map((r) => ({ location: labels[r.run as Which], cache: `cache ${r.cache}`, ratio: r.tfrecord_vs_images }));
  return {
    name: 'beside-ratio',
    title: 'TFRecord / image files throughput ratio (medians) per location of the data',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 320,
      height: 200,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'location', type: 'nominal', title: 'where the data lived', sort: [labels.this, labels.beside], axis: { labelAngle: 0 } },
        xOffset: { field: 'cache', type: 'nominal' },
        y: { field: 'ratio', type: 'quantitative', title: 'TFRecord / images (x)', scale: { zero: true } },
        color: { field: 'cache', type: 'nominal', title: 'cache' },
      },
    } as TopLevelSpec,
  };
}
