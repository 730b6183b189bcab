/**
 * Student's t: the two-sided p-value and critical value (@stdlib's quantile). The p-value comes
 * from the regularised incomplete beta function:
 *   P(|T| > t) = I_{df / (df + t^2)}(df / 2, 1 / 2)
 * computed directly (never as 1 - cdf), so tiny p-values such as 4.84e-86 keep their digits.
 */
import betainc from '@stdlib/math-base-special-betainc';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export function twoSidedPValue(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const x = df / (df + t * t);
  return betainc(x, df / 2, 0.5);
}

/** The two-sided critical value: t such that P(|T| > t) = `alpha` (scipy's t.ppf(1 - alpha / 2, df)). */
export function tCritical(alpha: number, df: number): number {
  if (!(alpha > 0 && alpha < 1) || !(df > 0)) return NaN;
  return tQuantile(1 - alpha / 2, df);
}
