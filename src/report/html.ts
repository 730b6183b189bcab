/** report.html: one self-contained page (inline SVG charts, inline CSS, no script, no network). */
import type { KeyFigures } from './tables.js';
import { fmt, REGRESSION_HEADER, regressionCells } from './tables.js';
import type { RegressionRow } from './regressions.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function reportHtml(input: { title: string; run: Record<string, any>; figures: KeyFigures; fits: RegressionRow[]; charts: { name: string; title: string; svg: string }[]; notes: string[] }): string {
  const { figures } = input;
  const facts = [
    ['rows', String(input.fits.length ? input.run.summary?.rows ?? '' : '')],
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
th{background:#f5f5f5}td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}
figure{margin:1rem 0;display:inline-block;vertical-align:top}figcaption{font-size:.85rem;color:#555;margin-bottom:.3rem}
.figures{display:flex;gap:1.5rem;flex-wrap:wrap}.figure{background:#f7f9fc;border-radius:6px;padding:.6rem 1rem}.figure b{font-size:1.4rem;display:block}
.note{color:#8a5a00}
</style></head><body>
<h1>${escape(input.title)}</h1>
<div class="figures">
${figures.tfrecordVsImages.map((x) => `<div class="figure"><b>${fmt(x.ratio, 3)}x</b>TFRecord vs image files (cache ${escape(x.cache)})</div>`).join('\n')}
${figures.cachedVsUncached.map((x) => `<div class="figure"><b>${fmt(x.ratio, 3)}x</b>cached vs uncached (${escape(x.dataset)})</div>`).join('\n')}
${figures.wallSeconds.map((x) => `<div class="figure"><b>${fmt(x.seconds, 3)} s</b>wall time, cache ${escape(x.cache)}</div>`).join('\n')}
${figures.cpu ? `<div class="figure"><b>${fmt(figures.cpu.meanProcessPercent, 3)}%</b>mean CPU (100 = one core), peak RSS ${fmt(figures.cpu.peakRssMiB, 3)} MiB</div>` : ''}
</div>
${input.notes.map((n) => `<p class="note">${escape(n)}</p>`).join('\n')}
<h2>Median throughput</h2>
${table(['dataset', 'cache', 'median images/s', 'passes'], figures.medians.map((m) => [m.dataset, m.cache, fmt(m.median, 5), String(m.rows)]))}
<h2>Regressions of images/s on each parameter</h2>
<p>Least-squares lines; p-value of the two-sided test of zero slope (Student t, n-2 degrees of freedom).</p>
${table(REGRESSION_HEADER, input.fits.map(regressionCells))}
<h2>Charts</h2>
${input.charts.map((c) => `<figure id="${escape(c.name)}"><figcaption>${escape(c.title)}</figcaption>${c.svg}</figure>`).join('\n')}
<h2>Run</h2>
${table(['', ''], facts)}
</body></html>
`;
}
