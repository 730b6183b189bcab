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
