/** `pipeline report`: regressions, tables and charts from a speed-test run folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { writeTable } from '../speedtest/run-files.js';
import { cachedVsUncached, renderSvg, resourcesOverTime, scatterWithFits, svgToPng, taskTimeline, throughputBars, type Chart } from './charts.js';
import { reportHtml } from './html.js';
import { scalingSpec } from '../scaling/chart.js';
import { chooseModel } from '../scaling/models.js';
import { systemThroughput, tasksPerSetting } from '../scaling/run-points.js';
import { loadRun } from './load-run.js';
import { regressions } from './regressions.js';
import { fmt, keyFigures, markdownTable, REGRESSION_HEADER, regressionCells } from './tables.js';

export interface ReportOptions {
  run: string;
  out?: string;
  /** Extra charts from other commands (recommend's scaling chart). */
  extraCharts?: Chart[];
}

export interface ReportResult {
  out: string;
  regressions: number;
  charts: string[];
  files: string[];
}

export async function report(options: ReportOptions): Promise<ReportResult> {
  const dir = resolve(options.run);
  const out = resolve(options.out ?? dir);
  const run = await loadRun(dir);
  if (run.measurements.length === 0) throw new PipelineError('DATA', `${dir}: the run has no measurement rows`);
  await mkdir(join(out, 'charts'), { recursive: true });

  const fits = regressions(run.measurements);
  await writeTable(join(out, 'regression'), fits, { dataset: 'string', cache: 'string', parameter: 'string', n: 'int', slope: 'float', intercept: 'float', r: 'float', r2: 'float', p_value: 'float', stderr: 'float', note: 'string' }, false);

  const charts: Chart[] = [...throughputBars(run.measurements), ...scatterWithFits(run.measurements, fits), cachedVsUncached(run.measurements)];
  if (run.resources.length) charts.push(...resourcesOverTime(run.resources));
  if (run.tasks.length) charts.push(taskTimeline(run.tasks));
  // A scaling study (several worker counts): measured and fitted throughput against workers.
  if (new Set(run.measurements.map((r) => r.workers)).size >= 2) charts.push(scalingChart(run));
  charts.push(...(options.extraCharts ?? []));
  const rendered: { name: string; title: string; svg: string }[] = [];
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec);
    await writeFile(join(out, 'charts', `${chart.name}.svg`), svg);
    await writeFile(join(out, 'charts', `${chart.name}.png`), await svgToPng(svg));
    rendered.push({ name: chart.name, title: chart.title, svg });
  }

  const figures = keyFigures(run.measurements, run.tasks, run.resources);
  const notes: string[] = [...(run.info.notes ?? [])];
  if (run.info.interrupted) notes.unshift('This run was interrupted: the figures cover the rows written before it stopped.');
  const title = `Speed test report: ${run.info.options?.datasets?.join(' vs ') ?? 'run'} (${run.measurements.length} passes)`;
  await writeFile(join(out, 'report.html'), reportHtml({ title, run: run.info, figures, fits, charts: rendered, notes }));
  await writeFile(join(out, 'summary.md'), summaryMarkdown(title, figures, fits, notes));
  return {
    out,
    regressions: fits.length,
    charts: rendered.map((c) => c.name),
    files: ['regression.csv', 'summary.md', 'report.html', ...rendered.flatMap((c) => [`charts/${c.name}.svg`, `charts/${c.name}.png`])],
  };
}

function summaryMarkdown(title: string, figures: ReturnType<typeof keyFigures>, fits: ReturnType<typeof regressions>, notes: string[]): string {
  const parts = [
    `# ${title}`,
    ...notes.map((n) => `> ${n}`),
    '## Median throughput',
    markdownTable(['dataset', 'cache', 'median images/s', 'passes'], figures.medians.map((m) => [m.dataset, m.cache, fmt(m.median, 5), String(m.rows)])),
    '## Ratios',
    markdownTable(['what', 'ratio'], [
      ...figures.tfrecordVsImages.map((x) => [`TFRecord / image files, cache ${x.cache}`, `${fmt(x.ratio, 3)}x`]),
      ...figures.cachedVsUncached.map((x) => [`cached / uncached, ${x.dataset}`, `${fmt(x.ratio, 3)}x`]),
    ]),
    '## Wall time per cache mode',
    markdownTable(['cache', 'seconds'], figures.wallSeconds.map((w) => [w.cache, fmt(w.seconds, 4)])),
    '## CPU use',
    figures.cpu ? `Mean CPU of the process: ${fmt(figures.cpu.meanProcessPercent, 3)}% (100 = one core); peak RSS ${fmt(figures.cpu.peakRssMiB, 3)} MiB.` : 'No resource samples in this run.',
    '## Regressions of images/s on each parameter',
    markdownTable(REGRESSION_HEADER, fits.map(regressionCells)),
  ];
  return parts.join('\n\n') + '\n';
}

/** Seconds for one epoch against workers, with the model that predicts held-out points best (4 points or more). */
function scalingChart(run: Awaited<ReturnType<typeof loadRun>>): Chart {
  const dataset = run.measurements.some((r) => r.dataset === 'tfrecord') ? 'tfrecord' : 'images';
  const rows = run.measurements.filter((r) => r.dataset === dataset && r.cache === 'off');
  const images = Math.max(Number(run.info.datasetSizes?.[dataset] ?? 0), 1);
  const points = systemThroughput(rows.length ? rows : run.measurements, tasksPerSetting(run.tasks as { workers?: number }[])).map((p) => ({ workers: p.workers, seconds: images / p.throughput }));
  const { chosen } = points.length >= 4 ? chooseModel(points) : { chosen: null };
  const maxWorkers = 2 * Math.max(...points.map((p) => p.workers));
  const fitted = chosen ? `${chosen.model}, leave-one-out error ${(chosen.looError! * 100).toFixed(1)}%` : 'fewer than 4 worker counts: no model checked';
  return {
    name: 'scaling',
    title: `Seconds for one epoch (${images} images, ${dataset}) against workers: measured and fitted (${fitted})`,
    spec: scalingSpec('', [{ machine: String(run.info.cpu?.model ?? 'local'), measured: points, model: chosen ? { ...chosen, scale: 1 } : null, maxWorkers }]),
  };
}
