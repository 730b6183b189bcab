/**
 * Welch's t-test (unequal variances), two-sided: the p-value of scipy.stats.ttest_ind(a, b,
 * equal_var=False), with Welch-Satterthwaite degrees of freedom. Pure.
 */
import { twoSidedPValue } from './student-t.js';

export interface WelchResult {
  t: number;
  df: number;
  p_value: number;
}

/** Null when a side has fewer than 2 values or both sides have no spread (scipy gives nan). */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult | null {
  if (a.length < 2 || b.length < 2) return null;
  const stats = (x: readonly number[]) => {
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1);
    return { mean, se2: variance / x.length, n: x.length };
  };
  const sa = stats(a);
  const sb = stats(b);
  const se2 = sa.se2 + sb.se2;
  if (se2 === 0) return null;
  const t = (sa.mean - sb.mean) / Math.sqrt(se2);
  const df = se2 ** 2 / (sa.se2 ** 2 / (sa.n - 1) + sb.se2 ** 2 / (sb.n - 1));
  return { t, df, p_value: twoSidedPValue(Math.abs(t), df) };
}
