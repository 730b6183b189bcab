/**
 * Least-squares line of y on x with the numbers `scipy.stats.linregress` gives (same formulas,
 * same order of operations: centred sums over n, r clamped to [-1, 1], t with scipy's TINY).
 */
import { twoSidedPValue } from './student-t.js';

export interface LineFit {
  n: number;
  slope: number;
  intercept: number;
  r: number;
  r2: number;
  p_value: number;
  stderr: number;
  intercept_stderr: number;
}

export type FitOutcome = { ok: true; fit: LineFit } | { ok: false; n: number; note: string };

/** scipy's guard against division by zero when |r| = 1. */
const TINY = 1.0e-20;

export function fitLine(xs: readonly number[], ys: readonly number[]): FitOutcome {
  const n = xs.length;
  if (n !== ys.length) throw new Error(`x and y differ in length: ${n} vs ${ys.length}`);
  if (n < 3) return { ok: false, n, note: `n = ${n}: at least 3 points are needed for a p-value` };
  let xmean = 0;
  let ymean = 0;
  for (let i = 0; i < n; i++) {
    xmean += xs[i];
    ymean += ys[i];
  }
  xmean /= n;
  ymean /= n;
  let ssxm = 0;
  let ssym = 0;
  let ssxym = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - xmean;
    const dy = ys[i] - ymean;
    ssxm += dx * dx;
    ssym += dy * dy;
    ssxym += dx * dy;
  }
  ssxm /= n;
  ssym /= n;
  ssxym /= n;
  if (ssxm === 0) return { ok: false, n, note: 'the parameter is constant in this group' };
  let r = ssym === 0 ? 0 : ssxym / Math.sqrt(ssxm * ssym);
  r = Math.max(-1, Math.min(1, r));
  const slope = ssxym / ssxm;
  const intercept = ymean - slope * xmean;
  const df = n - 2;
  const t = r * Math.sqrt(df / ((1.0 - r + TINY) * (1.0 + r + TINY)));
  const stderr = Math.sqrt(((1 - r ** 2) * ssym) / ssxm / df);
  return {
    ok: true,
    fit: { n, slope, intercept, r, r2: r * r, p_value: twoSidedPValue(Math.abs(t), df), stderr, intercept_stderr: stderr * Math.sqrt(ssxm + xmean ** 2) },
  };
}
