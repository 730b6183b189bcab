/**
 * Two-sided p-value of Student's t, from the regularised incomplete beta function:
 *   P(|T| > t) = I_{df / (df + t^2)}(df / 2, 1 / 2)
 * computed directly (never as 1 - cdf), so tiny p-values such as 4.84e-86 keep their digits.
 */
import betainc from '@stdlib/math-base-special-betainc';

export function twoSidedPValue(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const x = df / (df + t * t);
  return betainc(x, df / 2, 0.5);
}

/**
 * The two-sided critical value: t such that P(|T| > t) = `alpha` (scipy's t.ppf(1 - alpha / 2, df)),
 * found by bisection on twoSidedPValue, which decreases in t, to the last bits of a double.
 */
export function tCritical(alpha: number, df: number): number {
  if (!(alpha > 0 && alpha < 1) || !(df > 0)) return NaN;
  let lo = 0;
  let hi = 1;
  while (twoSidedPValue(hi, df) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-16 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (twoSidedPValue(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
