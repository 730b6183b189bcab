/**
 * Ordinary least squares of y on several columns plus an intercept, by Householder QR (no normal
 * equations, so correlated columns keep their digits): coefficients, standard errors, t, two-sided
 * p-values (Student t, n - p degrees of freedom), 95% intervals, R², adjusted R², and each column's
 * variance inflation factor. The same numbers as numpy's lstsq / statsmodels' OLS. Pure.
 */
import { tCritical, twoSidedPValue } from './student-t.js';

export interface OlsTerm {
  term: string;
  coefficient: number;
  stderr: number;
  t: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
  /** Variance inflation factor (1 = uncorrelated with the other columns); NaN for the intercept. */
  vif: number;
}

export type OlsOutcome =
  | { ok: true; n: number; terms: OlsTerm[]; r2: number; adjR2: number; dropped: string[] }
  | { ok: false; n: number; note: string; dropped: string[] };

/**
 * `columns` maps a name to its values (one per observation). A column that is a linear combination
 * of the intercept and the columns before it is dropped (listed in `dropped`), as a rank-revealing
 * fit would.
 */
export function fitOls(columns: Record<string, readonly number[]>, y: readonly number[]): OlsOutcome {
  const n = y.length;
  const names = ['intercept'];
  const cols: number[][] = [new Array(n).fill(1)];
  const dropped: string[] = [];
  for (const [name, values] of Object.entries(columns)) {
    if (values.length !== n) throw new Error(`column ${name} has ${values.length} values, y has ${n}`);
    if (residualNorm([...cols, [...values]], cols.length) <= 1e-10 * norm(values)) dropped.push(name);
    else {
      names.push(name);
      cols.push([...values]);
    }
  }
  const p = cols.length;
  if (n <= p) return { ok: false, n, note: `n = ${n}: more than ${p} passes are needed for ${p} coefficients`, dropped };
  const { r, qty } = householder(cols, [...y]);
  const rinv = invertUpper(r);
  const beta = new Array(p).fill(0);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) beta[i] += rinv[i][j] * qty[j];
  let rss = 0;
  for (let i = p; i < n; i++) rss += qty[i] * qty[i];
  const ymean = y.reduce((a, b) => a + b, 0) / n;
  const tss = y.reduce((s, v) => s + (v - ymean) ** 2, 0);
  const df = n - p;
  const sigma2 = rss / df;
  const crit = tCritical(0.05, df);
  const terms = names.map((term, i) => {
    let xtxInv = 0;
    for (let j = i; j < p; j++) xtxInv += rinv[i][j] ** 2;
    const stderr = Math.sqrt(sigma2 * xtxInv);
    const t = beta[i] / stderr;
    const mean = cols[i].reduce((a, b) => a + b, 0) / n;
    const sst = cols[i].reduce((s, v) => s + (v - mean) ** 2, 0);
    return {
      term,
      coefficient: beta[i],
      stderr,
      t,
      p_value: twoSidedPValue(Math.abs(t), df),
      ci_low: beta[i] - crit * stderr,
      ci_high: beta[i] + crit * stderr,
      vif: i === 0 ? NaN : xtxInv * sst,
    };
  });
  const r2 = tss > 0 ? 1 - rss / tss : NaN;
  return { ok: true, n, terms, r2, adjR2: 1 - ((1 - r2) * (n - 1)) / df, dropped };
}

/**
 * Least squares of y on the given columns (no intercept added) by Householder QR: the coefficients,
 * or undefined when the columns are numerically dependent (a diagonal of R below `rankTolerance`
 * times its column's norm). The solver of the scaling models' NNLS (src/scaling/models.ts).
 */
export function solveLeastSquares(cols: readonly (readonly number[])[], y: readonly number[], rankTolerance = 1e-6): number[] | undefined {
  const p = cols.length;
  const { r, qty } = householder(cols.map((c) => [...c]), [...y]);
  for (let i = 0; i < p; i++) if (!(Math.abs(r[i][i]) > rankTolerance * (norm(cols[i]) || 1))) return undefined;
  const beta = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = qty[i];
    for (let j = i + 1; j < p; j++) s -= r[i][j] * beta[j];
    beta[i] = s / r[i][i];
  }
  return beta;
}

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** Length of column `k`'s part orthogonal to columns 0..k-1 (Gram-Schmidt twice, for accuracy). */
function residualNorm(cols: number[][], k: number): number {
  const basis: number[][] = [];
  for (let j = 0; j < k; j++) basis.push(orthogonalise(cols[j], basis));
  return norm(orthogonalise(cols[k], basis));
}

function orthogonalise(v: readonly number[], basis: number[][]): number[] {
  let out = [...v];
  for (let pass = 0; pass < 2; pass++) {
    for (const b of basis) {
      const bb = b.reduce((s, x) => s + x * x, 0);
      if (bb === 0) continue;
      const c = out.reduce((s, x, i) => s + x * b[i], 0) / bb;
      out = out.map((x, i) => x - c * b[i]);
    }
  }
  return out;
}

/** Householder QR of the n x p matrix given by columns: R (p x p, upper) and Qᵀy (n). */
function householder(cols: number[][], y: number[]): { r: number[][]; qty: number[] } {
  const n = y.length;
  const p = cols.length;
  const a = cols.map((c) => [...c]);
  for (let k = 0; k < p; k++) {
    const x = a[k];
    let s = 0;
    for (let i = k; i < n; i++) s += x[i] * x[i];
    const alpha = x[k] >= 0 ? -Math.sqrt(s) : Math.sqrt(s);
    const v = new Array(n).fill(0);
    for (let i = k; i < n; i++) v[i] = x[i];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    const reflect = (c: number[]) => {
      let d = 0;
      for (let i = k; i < n; i++) d += v[i] * c[i];
      const f = (2 * d) / vv;
      for (let i = k; i < n; i++) c[i] -= f * v[i];
    };
    for (let j = k; j < p; j++) reflect(a[j]);
    reflect(y);
  }
  const r = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (j >= i ? a[j][i] : 0)));
  return { r, qty: y };
}

function invertUpper(r: number[][]): number[][] {
  const p = r.length;
  const inv = Array.from({ length: p }, () => new Array(p).fill(0));
  for (let i = p - 1; i >= 0; i--) {
    inv[i][i] = 1 / r[i][i];
    for (let j = i + 1; j < p; j++) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r[i][k] * inv[k][j];
      inv[i][j] = -s / r[i][i];
    }
  }
  return inv;
}
