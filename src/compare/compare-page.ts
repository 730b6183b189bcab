/** compare.md and compare.html (one self-contained page with one chart). Pure except the chart render. */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../charts/render.js';
import { BOOTSTRAP } from '../stats/bootstrap.js';
import { fmt, markdownTable } from '../format/text.js';
import { ALPHA, type Comparison } from './comparisons.js';

export const COMPARE_HEADER = ['dataset', 'cache', 'batch size', 'batch number', 'n a', 'n b', 'median a (images/s)', 'median b (images/s)', 'b / a', 'b / a 95% CI', 'p (Welch)', 'verdict (b vs a)'];

export function comparisonCells(c: Comparison): string[] {
  return [
    c.dataset, c.cache, String(c.batch_size), String(c.batch_number), String(c.n_a), String(c.n_b), fmt(c.median_a, 5), fmt(c.median_b, 5),
    c.ratio === null ? '' : `${fmt(c.ratio, 3)}x`, c.ratio_ci ? `${fmt(c.ratio_ci[0], 3)} to ${fmt(c.ratio_ci[1], 3)}` : '', fmt(c.p_value, 3), c.verdict,
  ];
}

export const compareNote = (a: string, b: string) =>
  `a = ${a}, b = ${b}. Ratio: median images/s of b over a, with a 95% percentile bootstrap interval (${BOOTSTRAP.resamples} resamples, seed ${BOOTSTRAP.seed}). ` +
  `p: Welch's t-test on images/s (unequal variances). Verdict: b faster or slower than a when p < ${ALPHA}, else no evidence.`;

export function compareMarkdown(a: string, b: string, comparisons: readonly Comparison[], notes: readonly string[] = []): string {
  return [`# Comparison of two speed-test runs`, compareNote(a, b), ...notes.map((n) => `> ${n}`), markdownTable(COMPARE_HEADER, comparisons.map(comparisonCells))].join('\n\n') + '\n';
}

/** The ratio b / a with its interval per group, on a log axis (a ratio of 2 and of 1/2 are as far from 1). */
export function ratioChart(comparisons: readonly Comparison[]): ChartSpec {
  const values = comparisons
    .filter((c) => c.ratio !== null)
    .map((c) => ({ group: `${c.dataset} / cache ${c.cache} / ${c.batch_size} x ${c.batch_number}`, ratio: c.ratio, lo: c.ratio_ci?.[0] ?? c.ratio, hi: c.ratio_ci?.[1] ?? c.ratio, verdict: c.verdict }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: 520,
    height: { step: 22 },
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { datum: 1 } } },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y: { field: 'group', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
          x: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'median images/s of b / a (log scale; 1 = same speed), with 95% interval' },
          x2: { field: 'hi' },
          color: { field: 'verdict', type: 'nominal', title: 'b vs a', scale: { domain: ['faster', 'slower', 'no evidence'], range: ['#2e7d32', '#c62828', '#777'] } },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { y: { field: 'group', type: 'nominal', sort: null }, x: { field: 'ratio', type: 'quantitative' }, color: { field: 'verdict', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function compareHtml(a: string, b: string, comparisons: readonly Comparison[], chartSvg: string, notes: readonly string[] = []): string {
  const rows = comparisons.map(comparisonCells);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comparison of two speed-test runs</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f5f5f5}td:first-child,td:nth-child(2),td:last-child{text-align:left}.small{font-size:.85rem;color:#555}.note{color:#8a5a00}
</style></head><body>
<h1>Comparison of two speed-test runs</h1>
<p class="small">${escape(compareNote(a, b))}</p>
${notes.map((n) => `<p class="note">${escape(n)}</p>`).join('\n')}
<figure id="ratio"><figcaption>Speed of b relative to a</figcaption>${chartSvg}</figure>
<table><thead><tr>${COMPARE_HEADER.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>
</body></html>
`;
}
