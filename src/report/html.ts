/** report.html: one self-contained page (inline SVG charts, inline CSS, no script, no network). */
import { BOOTSTRAP } from '../stats/bootstrap.js';
import type { KeyFigures } from './tables.js';
import { fmt } from '../format/text.js';
import { MEDIAN_HEADER, medianCells, MULTI_HEADER, multiCells, REGRESSION_HEADER, regressionCells, TIME_HEADER, timeCells } from './tables.js';
import type { RegressionRow } from './regressions.js';
import type { MultiRegressionRow } from './regressions-multi.js';
import { dominantStageSentence, type TimeSplit } from './time-split.js';

/** What summary.md and report.html both show. */
export interface ReportContent {
  title: string;
  figures: KeyFigures;
  fits: RegressionRow[];
  multi: MultiRegressionRow[];
  splits: TimeSplit[];
  /** Shown first, before any figure: interrupted run, problems, empty passes. */
  alerts: string[];
  notes: string[];
}

export const BOOTSTRAP_NOTE = `Intervals: 95% percentile bootstrap of the median, ${BOOTSTRAP.resamples} resamples, fixed seed ${BOOTSTRAP.seed} (the same report on every run).`;
export const TIME_NOTE = "Each stage's share of the passes' wall time: an instant when several images are in flight is split equally among the stages running then; wait is time when none runs (event loop, I/O callbacks, thread pool queue). Thread CPU counts the worker thread only, not the thread pool's reads and resizes.";
export const MULTI_NOTE = 'Ordinary least squares of images/s on every parameter that varies in the group at once (data_size = batch_size x batch_number acts as their interaction); 95% intervals from Student t with n - p degrees of freedom. VIF above 10 means the term is collinear with others.';

export const cpuSentence = (cpu: NonNullable<KeyFigures['cpu']>) =>
  `Mean CPU of the process: ${fmt(cpu.meanProcessPercent, 3)}% (100 = one core); peak RSS ${fmt(cpu.peakRssMiB, 3)} MiB` +
  (cpu.cpuSecondsPerImage !== null ? `; ${fmt(cpu.cpuSecondsPerImage, 3)} CPU seconds per delivered image (whole process, from the monitor; warm-up passes' CPU included).` : '.');

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** `top` and `sections`: the host parts (src/report/host-section.ts), after the alerts and before the charts. */
export function reportHtml(
  input: ReportContent & { run: Record<string, any>; charts: { name: string; title: string; svg: string }[]; top?: string; sections?: string },
): string {
  const { figures } = input;
  const facts = [
    ['rows', String(input.fits.length ? (input.run.summary?.rows ?? '') : '')],
    ['workers', String(input.run.options?.workers ?? '')],
    ['partitions', String(input.run.options?.partitions ?? '')],
    ['cpu', `${input.run.cpu?.model ?? ''} (${input.run.cpu?.cores ?? '?'} cores)`],
    ['node', String(input.run.node ?? '')],
    ['start', String(input.run.start ?? '')],
    ['interrupted', String(input.run.interrupted ?? false)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f5f5f5}td:first-child,td:nth-child(2),td:nth-child(3),td:last-child{text-align:left}
figure{margin:1rem 0;display:block}figcaption{font-size:.9rem;color:#333;margin-bottom:.3rem;font-weight:600}
.figures{display:flex;gap:1.5rem;flex-wrap:wrap}.figure{background:#f7f9fc;border-radius:6px;padding:.6rem 1rem}.figure b{font-size:1.4rem;display:block}
.alert{background:#fdecea;border-left:4px solid #c62828;padding:.6rem 1rem;margin:.5rem 0;color:#7f1d1d}
.note{color:#8a5a00}.small{font-size:.85rem;color:#555}
</style></head><body>
<h1>${escape(input.title)}</h1>
${input.alerts.map((a) => `<p class="alert" role="alert">${escape(a)}</p>`).join('\n')}
${input.top ?? ''}
<div class="figures">
${figures.tfrecordVsImages.map((x) => `<div class="figure"><b>${fmt(x.ratio, 3)}x</b>TFRecord vs image files (cache ${escape(x.cache)})</div>`).join('\n')}
${figures.cachedVsUncached.map((x) => `<div class="figure"><b>${fmt(x.ratio, 3)}x</b>cached vs uncached (${escape(x.dataset)})</div>`).join('\n')}
${figures.wallSeconds.map((x) => `<div class="figure"><b>${fmt(x.seconds, 3)} s</b>wall time, cache ${escape(x.cache)}</div>`).join('\n')}
${figures.cpu ? `<div class="figure"><b>${fmt(figures.cpu.meanProcessPercent, 3)}%</b>mean CPU (100 = one core), peak RSS ${fmt(figures.cpu.peakRssMiB, 3)} MiB</div>` : ''}
${figures.cpu?.cpuSecondsPerImage ? `<div class="figure"><b>${fmt(figures.cpu.cpuSecondsPerImage * 1000, 3)} ms</b>CPU per image (process)</div>` : ''}
</div>
${input.notes.map((n) => `<p class="note">${escape(n)}</p>`).join('\n')}
<h2>Median throughput</h2>
${table(MEDIAN_HEADER, figures.medians.map(medianCells))}
<p class="small">${escape(BOOTSTRAP_NOTE)}</p>
${
  input.splits.length
    ? `<h2>Where the time goes</h2>
${input.splits.map((s) => `<p>${escape(dominantStageSentence(s))}</p>`).join('\n')}
${table(TIME_HEADER, input.splits.map(timeCells))}
<p class="small">${escape(TIME_NOTE)}</p>`
    : ''
}
${figures.cpu ? `<p class="small">${escape(cpuSentence(figures.cpu))}</p>` : ''}
<h2>Regressions of images/s on each parameter</h2>
<p>Least-squares lines; p-value of the two-sided test of zero slope (Student t, n-2 degrees of freedom); the slope's 95% interval is slope -/+ t(0.975, n-2) x stderr.</p>
${table(REGRESSION_HEADER, input.fits.map(regressionCells))}
<h2>Multiple regression on all varied parameters</h2>
<p class="small">${escape(MULTI_NOTE)}</p>
${table(MULTI_HEADER, input.multi.map(multiCells))}
${input.sections ?? ''}
<h2>Charts</h2>
${input.charts.map((c) => `<figure id="${escape(c.name)}"><figcaption>${escape(c.title)}</figcaption>${c.svg}</figure>`).join('\n')}
<h2>Run</h2>
${table(['', ''], facts)}
</body></html>
`;
}
