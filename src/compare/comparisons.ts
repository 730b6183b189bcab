/**
 * Is run B faster than run A? For every dataset x cache x batch size x batch number measured in
 * both: the medians, the ratio of medians b / a with a 95% bootstrap interval (fixed seed), and
 * Welch's t-test on images/s (unequal variances, as scipy.stats.ttest_ind(a, b, equal_var=False)).
 * The verdict is "faster" or "slower" (B against A) when p < alpha, else "no evidence". Pure.
 */
import { medianRatioInterval } from '../stats/bootstrap.js';
import { median } from '../stats/median.js';
import { welchTest } from '../stats/welch.js';

export const ALPHA = 0.05;

export type Verdict = 'faster' | 'slower' | 'no evidence';

export interface Comparison {
  dataset: string;
  cache: string;
  batch_size: number;
  batch_number: number;
  n_a: number;
  n_b: number;
  median_a: number;
  median_b: number;
  /** median_b / median_a (null when median_a is 0). */
  ratio: number | null;
  ratio_ci: [number, number] | null;
  /** Null when a side has fewer than 2 passes or neither side varies (no test possible). */
  p_value: number | null;
  verdict: Verdict;
}

export interface PassRow {
  dataset: string;
  cache: string;
  batch_size: number;
  batch_number: number;
  images_per_second: number;
}

const keyOf = (r: PassRow) => `${r.dataset}\u0000${r.cache}\u0000${r.batch_size}\u0000${r.batch_number}`;

function groups(rows: readonly PassRow[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) {
    const key = keyOf(r);
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(r.images_per_second);
  }
  return out;
}

export function compareRows(a: readonly PassRow[], b: readonly PassRow[]): Comparison[] {
  const ga = groups(a);
  const gb = groups(b);
  const out: Comparison[] = [];
  for (const [key, va] of ga) {
    const vb = gb.get(key);
    if (!vb) continue;
    const [dataset, cache, batchSize, batchNumber] = key.split('\u0000');
    const ma = median(va);
    const mb = median(vb);
    const test = welchTest(va, vb);
    // Welch's test is on means: the direction is that of the mean difference.
    const meanDiff = vb.reduce((s, v) => s + v, 0) / vb.length - va.reduce((s, v) => s + v, 0) / va.length;
    const verdict: Verdict = test && test.p_value < ALPHA ? (meanDiff > 0 ? 'faster' : 'slower') : 'no evidence';
    out.push({
      dataset, cache, batch_size: Number(batchSize), batch_number: Number(batchNumber),
      n_a: va.length, n_b: vb.length, median_a: ma, median_b: mb,
      ratio: ma > 0 ? mb / ma : null,
      ratio_ci: ma > 0 ? medianRatioInterval(va, vb) : null,
      p_value: test?.p_value ?? null,
      verdict,
    });
  }
  const order = (c: Comparison) => [c.dataset, c.cache].join('\u0000');
  return out.sort((x, y) => order(x).localeCompare(order(y)) || x.batch_size - y.batch_size || x.batch_number - y.batch_number);
}
