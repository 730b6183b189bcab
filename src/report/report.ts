/** `pipeline report`: regressions, tables and charts from a speed-test run folder. */
import { objectStorageMarkdown } from './object-storage-section.js';
import { besideRun, besideSection } from './beside.js';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { checkOutPath } from '../output/out-path.js';
import { runHeldIn } from '../run-folder/ownership.js';
import { parseOptions } from '../options/define.js';
import { reportOptions, type ReportOptionsInput } from '../options/report.js';
import { writeFileAtomic } from '../output/atomic.js';
import { writeTable } from '../run-folder/tables.js';
import { cachedVsUncached, resourcesOverTime, scatterWithFits, taskTimeline, throughputBars, whereTimeGoes } from './charts.js';
import { renderSvg, svgToPng, type Chart } from '../charts/render.js';
import { BOOTSTRAP_NOTE, cpuSentence, MULTI_NOTE, reportHtml, TIME_NOTE, type ReportContent } from './html.js';
import { scalingSpec } from '../scaling/chart.js';
import { chooseModel } from '../scaling/models.js';
import { systemThroughput, tasksPerSetting } from '../scaling/run-points.js';
import { loadRun } from '../run-folder/load-run.js';
import { regressions } from './regressions.js';
import { BESIDE, REGRESSION, REGRESSION_MULTI } from '../run-folder/files.js';
import { multipleRegressions } from './regressions-multi.js';
import { fmt, markdownTable } from '../format/text.js';
import { keyFigures, MEDIAN_HEADER, medianCells, MULTI_HEADER, multiCells, REGRESSION_HEADER, regressionCells, TIME_HEADER, timeCells } from './tables.js';
import { dominantStageSentence, timeSplits } from './time-split.js';
import { hostParts } from './host-report.js';

/** `run` (the run folder), `out` (default: the run folder): src/options/report.ts. */
export type ReportOptions = ReportOptionsInput & {
  /** Extra charts from other commands (recommend's scaling chart). */
  extraCharts?: Chart[];
};

export interface ReportResult {
  out: string;
  regressions: number;
  charts: string[];
  files: string[];
}

export async function report(input: ReportOptions): Promise<ReportResult> {
  const options = { ...parseOptions(reportOptions, input), extraCharts: input.extraCharts };
  const dir = resolve(options.run);
  const out = options.out === undefined ? dir : checkOutPath(options.out);
  await refuseOtherRun(out, dir);
  const run = await loadRun(dir);
  if (run.measurements.length === 0) throw new PipelineError('DATA', `${dir}: the run has no measurement rows`);
  // The other run is read before anything is written: a bad --beside leaves no half report.
  const other = options.beside === undefined ? undefined : await besideRun(resolve(options.beside));
  if (other && other.measurements.length === 0) throw new PipelineError('DATA', `--beside: ${other.dir}: the run has no measurement rows`, { path: other.dir });
  await prepareReportFolder(out);

  const fits = regressions(run.measurements);
  await writeTable(out, REGRESSION, fits);
  const multi = multipleRegressions(run.measurements);
  await writeTable(out, REGRESSION_MULTI, multi);
  const splits = timeSplits(run.measurements);
  const beside = other ? besideSection(run, other) : undefined;
  if (beside) await writeTable(out, BESIDE, beside.rows);

  const charts: Chart[] = [];
  if (splits.length) charts.push(whereTimeGoes(splits));
  charts.push(...throughputBars(run.measurements), ...scatterWithFits(run.measurements, fits), cachedVsUncached(run.measurements));
  if (run.resources.length) charts.push(...resourcesOverTime(run.resources));
  if (run.tasks.length) charts.push(taskTimeline(run.tasks));
  // A scaling study (several worker counts): measured and fitted throughput against workers.
  if (new Set(run.measurements.map((r) => r.workers)).size >= 2) charts.push(scalingChart(run));
  if (beside) charts.push(beside.chart);
  charts.push(...(options.extraCharts ?? []));
  const rendered: { name: string; title: string; svg: string }[] = [];
  const pngs: Promise<void>[] = [];
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec);
    await writeFile(join(out, 'charts', `${chart.name}.svg`), svg);
    // Rasterised on sharp's threads while the next chart is laid out (the slowest part of a report).
    pngs.push(svgToPng(svg).then((png) => writeFile(join(out, 'charts', `${chart.name}.png`), png)));
    rendered.push({ name: chart.name, title: chart.title, svg });
  }
  await Promise.all(pngs);

  const hosts = await hostParts(run, out);
  const figures = keyFigures(run.measurements, run.tasks, run.resources);
  const alerts = runAlerts(run);
  const notes: string[] = [...(run.info.notes ?? [])];
  const title = `Speed test report: ${run.info.options?.datasets?.join(' vs ') ?? 'run'} (${run.measurements.length} passes)`;
  const content: ReportContent = { title, figures, fits, multi, splits, alerts, notes };
  await writeFileAtomic(join(out, 'report.html'), reportHtml({ ...content, run: { ...run.info, interrupted: run.interrupted }, charts: rendered, top: hosts?.top, sections: (beside?.html ?? '') + (hosts?.section ?? '') }));
  await writeFileAtomic(join(out, 'summary.md'), summaryMarkdown(content) + objectStorageMarkdown(run.info) + (beside?.markdown ?? '') + (hosts ? '\n' + hosts.markdown + '\n' : ''));
  return {
    out,
    regressions: fits.length,
    // In page order: the hosts figure comes before the other charts.
    charts: [...(hosts ? ['hosts-over-time'] : []), ...rendered.map((c) => c.name)],
    files: ['regression.csv', 'regression-multi.csv', ...(beside ? ['beside.csv'] : []), 'summary.md', 'report.html', ...rendered.flatMap((c) => [`charts/${c.name}.svg`, `charts/${c.name}.png`]), ...(hosts?.files ?? [])],
  };
}

/**
 * The run's problems for the top of the report, where a reader cannot miss them: a headline (how
 * many, what share of reads, whether the run failed for them) and the first few. Empty without problems.
 */
export function problemLines(info: Record<string, any>): string[] {
  const p = info.problems ?? {};
  const count = Number(p.count ?? info.summary?.problems ?? 0);
  if (!count) return [];
  const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
  const reads = sum(p.reads);
  const failed = sum(p.failed);
  const share = reads > 0 ? `: ${failed} of ${reads} reads failed (${((100 * failed) / reads).toPrecision(3)}%)` : '';
  const verdict = p.verdict && p.verdict !== 'within --max-problems' ? `. The run failed (exit 3): ${p.verdict}` : '';
  return [`${count} problem(s)${share}${verdict}`, ...(p.first ?? []).slice(0, 5).map((x: string) => x)];
}

/** What a reader must see before any figure: an interrupted run, problems met, passes that delivered nothing. */
function runAlerts(run: Awaited<ReturnType<typeof loadRun>>): string[] {
  const alerts: string[] = [];
  if (run.interrupted) alerts.push('This run was interrupted: the figures cover only the passes written before it stopped.');
  if (run.infoMissing) alerts.push('run.json is missing from the run folder: its options, tool version, problems and host figures are unknown.');
  const count = run.problems.length || Number(run.info.summary?.problems ?? 0);
  const lines = problemLines(run.info);
  if (lines.length) {
    alerts.push(`PROBLEMS: ${lines[0]}. First: ${lines.slice(1).join('; ')}`);
  } else if (count > 0) {
    const examples = run.problems.slice(0, 3).map((p) => `${p.source}${p.offset >= 0 ? ` at byte ${p.offset}` : ''}: ${p.error}`);
    alerts.push(`${count} problem${count === 1 ? '' : 's'} (corrupt records or unreadable images, not delivered; see problems.csv)${examples.length ? `, e.g. ${examples.join('; ')}` : ''}.`);
  }
  const empty = run.measurements.filter((r) => r.images === 0);
  if (empty.length) alerts.push(`${empty.length} of ${run.measurements.length} passes delivered no image at all (throughput 0): their dataset could not be read.`);
  return alerts;
}

function summaryMarkdown(c: ReportContent): string {
  const { figures, fits, notes } = c;
  const parts = [
    `# ${c.title}`,
    ...c.alerts.map((a) => `> **${a}**`),
    ...notes.map((n) => `> ${n}`),
    '## Median throughput',
    markdownTable(MEDIAN_HEADER, figures.medians.map(medianCells)),
    BOOTSTRAP_NOTE,
    ...(c.splits.length ? ['## Where the time goes', c.splits.map(dominantStageSentence).join('\n'), markdownTable(TIME_HEADER, c.splits.map(timeCells)), TIME_NOTE] : []),
    '## Ratios',
    markdownTable(['what', 'ratio'], [
      ...figures.tfrecordVsImages.map((x) => [`TFRecord / image files, cache ${x.cache}`, `${fmt(x.ratio, 3)}x`]),
      ...figures.cachedVsUncached.map((x) => [`cached / uncached, ${x.dataset}`, `${fmt(x.ratio, 3)}x`]),
    ]),
    '## Wall time per cache mode',
    markdownTable(['cache', 'seconds'], figures.wallSeconds.map((w) => [w.cache, fmt(w.seconds, 4)])),
    '## CPU use',
    figures.cpu ? cpuSentence(figures.cpu) : 'No resource samples in this run.',
    '## Regressions of images/s on each parameter',
    markdownTable(REGRESSION_HEADER, fits.map(regressionCells)),
    '## Multiple regression of images/s on all varied parameters',
    MULTI_NOTE,
    markdownTable(MULTI_HEADER, c.multi.map(multiCells)),
  ];
  return parts.join('\n\n') + '\n';
}

/** Seconds for one epoch against workers, with the model that predicts held-out points best (4 points or more). */
function scalingChart(run: Awaited<ReturnType<typeof loadRun>>): Chart {
  const dataset = run.measurements.some((r) => r.dataset === 'tfrecord') ? 'tfrecord' : 'images';
  const rows = run.measurements.filter((r) => r.dataset === dataset && r.cache === 'off');
  const images = Math.max(Number(run.info.datasetSizes?.[dataset] ?? 0), 1);
  const points = systemThroughput(rows.length ? rows : run.measurements, tasksPerSetting(run.tasks as { workers?: number }[])).map((p) => ({
    workers: p.workers,
    seconds: images / p.throughput,
  }));
  const { chosen } = points.length >= 4 ? chooseModel(points) : { chosen: null };
  const maxWorkers = 2 * Math.max(...points.map((p) => p.workers));
  const fitted = chosen ? `${chosen.model}, leave-one-out error ${(chosen.looError! * 100).toFixed(1)}%` : 'fewer than 4 worker counts: no model checked';
  return {
    name: 'scaling',
    title: `Seconds for one epoch (${images} images, ${dataset}) against workers: measured and fitted (${fitted})`,
    spec: scalingSpec('', [{ machine: String(run.info.cpu?.model ?? 'local'), measured: points, model: chosen ? { ...chosen, scale: 1 } : null, maxWorkers }]),
  };
}

/**
 * `--out` elsewhere than the run may not be another run's folder: the report's files (summary.md,
 * regression.csv, report.html, charts) would replace that run's own report.
 */
async function refuseOtherRun(out: string, dir: string): Promise<void> {
  const [a, b] = await Promise.all([stat(out).catch(() => undefined), stat(dir).catch(() => undefined)]);
  if (a && b && a.dev === b.dev && a.ino === b.ino) return;
  const kind = await runHeldIn(out);
  if (kind) throw new PipelineError('USAGE', `--out: ${out} holds another ${kind} run, whose files the report would replace: choose a new or empty folder, or leave --out out to write into ${dir}`, { path: out });
}

/** `--out` must be a folder (made if missing): a file there is a usage error, not a stack. */
async function prepareReportFolder(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (info && !info.isDirectory()) throw new PipelineError('USAGE', `--out: expected a folder for the report, got a file: ${out}`, { path: out });
  try {
    await mkdir(join(out, 'charts'), { recursive: true });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOTDIR' || e.code === 'EEXIST') throw new PipelineError('USAGE', `--out: expected a folder for the report, but part of ${out} is a file`, { path: out });
    throw new PipelineError('OUTPUT', `cannot use report folder ${out}: ${e.code ?? e.message}`, { path: out, cause: error });
  }
}
