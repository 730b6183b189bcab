/**
 * Leave-one-out fits of non-negative least squares in linear time (pure).
 *
 * Refitting on the n - 1 other points for each of n points costs O(n^2): 99,000 measured rows took
 * minutes. For one set of columns, the least squares fit without point i follows from the fit on
 * all points by the rank-one downdate of the normal equations (Sherman-Morrison):
 *
 *   h_i = x_i' (X'X)^-1 x_i,   theta_-i = theta - (X'X)^-1 x_i e_i / (1 - h_i),
 *   SSE_-i = SSE - e_i^2 / (1 - h_i),
 *
 * with e_i the residual of point i in the fit on all points. NNLS is the best feasible least squares
 * fit over every subset of columns (see `nnls` in models.ts), so each held-out fit is chosen among
 * the subsets' downdated fits by the same rules: O(n * 2^k * k^2) for k <= 4 columns.
 */

/** A held-out fit is undetermined when the point carries (almost) all the information on a direction. */
const LEVERAGE_LIMIT = 1 - 1e-10;

/** Inverse of a small symmetric matrix by Gauss-Jordan with partial pivoting; undefined when singular. */
function invert(a: number[][]): number[][] | undefined {
  const k = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
  for (let i = 0; i < k; i++) {
    let p = i;
    for (let r = i + 1; r < k; r++) if (Math.abs(m[r][i]) > Math.abs(m[p][i])) p = r;
    if (Math.abs(m[p][i]) < 1e-12) return undefined;
    [m[i], m[p]] = [m[p], m[i]];
    const pivot = m[i][i];
    for (let c = 0; c < 2 * k; c++) m[i][c] /= pivot;
    for (let r = 0; r < k; r++) {
      if (r === i || m[r][i] === 0) continue;
      const f = m[r][i];
      for (let c = 0; c < 2 * k; c++) m[r][c] -= f * m[i][c];
    }
  }
  return m.map((row) => row.slice(k));
}

interface SubsetFit {
  columns: number[];
  norms: number[];
  /** Inverse of the normal equations on columns scaled to unit norm. */
  inverse: number[][];
  /** Solution in scaled units. */
  z: number[];
  residuals: Float64Array;
  sse: number;
}

function fitSubset(rows: readonly number[][], y: readonly number[], columns: number[]): SubsetFit | undefined {
  const k = columns.length;
  const n = rows.length;
  // Unit-norm columns keep the normal equations well conditioned when m spans decades.
  const norms = columns.map((c) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += rows[r][c] ** 2;
    return Math.sqrt(s) || 1;
  });
  const gram = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xty = new Array<number>(k).fill(0);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const xi = rows[r][columns[i]] / norms[i];
      xty[i] += xi * y[r];
      for (let j = i; j < k; j++) gram[i][j] += xi * (rows[r][columns[j]] / norms[j]);
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) gram[i][j] = gram[j][i];
  const inverse = invert(gram);
  if (!inverse) return undefined;
  const z = inverse.map((row) => row.reduce((s, v, j) => s + v * xty[j], 0));
  const residuals = new Float64Array(n);
  let sse = 0;
  for (let r = 0; r < n; r++) {
    let p = 0;
    for (let j = 0; j < k; j++) p += (rows[r][columns[j]] / norms[j]) * z[j];
    residuals[r] = y[r] - p;
    sse += residuals[r] ** 2;
  }
  return { columns, norms, inverse, z, residuals, sse };
}

/**
 * The NNLS coefficients fitted without each point in turn: `result[i]` is the fit on every point
 * but `i` (the same answer as `nnls` on those rows, up to rounding).
 */
export function leaveOneOutNnls(rows: readonly number[][], y: readonly number[]): number[][] {
  const n = rows.length;
  const k = rows[0]?.length ?? 0;
  const subsets: SubsetFit[] = [];
  for (let mask = 1; mask < 1 << k; mask++) {
    const columns = [...Array(k).keys()].filter((j) => mask & (1 << j));
    // The held-out fits have n - 1 rows: more columns than that cannot be determined.
    if (columns.length > n - 1) continue;
    const fit = fitSubset(rows, y, columns);
    if (fit) subsets.push(fit);
  }
  let yy = 0;
  for (const v of y) yy += v * v;
  const out: number[][] = [];
  // Scratch space reused for every point: 99,000 points x 15 subsets must not allocate.
  const u = new Float64Array(k);
  const w = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const yyRest = yy - y[i] * y[i];
    const tolerance = 1e-12 * Math.max(1, yyRest);
    let best: { s: SubsetFit; factor: number } | undefined;
    let bestSse = yyRest;
    let bestTerms = 0;
    for (const s of subsets) {
      const size = s.columns.length;
      for (let j = 0; j < size; j++) u[j] = rows[i][s.columns[j]] / s.norms[j];
      let leverage = 0;
      for (let a = 0; a < size; a++) {
        let acc = 0;
        for (let b = 0; b < size; b++) acc += s.inverse[a][b] * u[b];
        w[a] = acc;
        leverage += u[a] * acc;
      }
      if (!(leverage < LEVERAGE_LIMIT)) continue;
      const e = s.residuals[i];
      const factor = e / (1 - leverage);
      let feasible = true;
      for (let j = 0; j < size && feasible; j++) feasible = s.z[j] - w[j] * factor >= 0;
      if (!feasible) continue;
      const sse = Math.max(0, s.sse - e * factor);
      if (sse < bestSse - tolerance || (Math.abs(sse - bestSse) <= tolerance && size < bestTerms)) {
        best = { s, factor };
        bestSse = sse;
        bestTerms = size;
      }
    }
    const theta = new Array<number>(k).fill(0);
    if (best) {
      // Recomputed for the winner only (w was overwritten by later subsets).
      const { s, factor } = best;
      s.columns.forEach((c, a) => {
        let wa = 0;
        s.columns.forEach((cb, b) => (wa += s.inverse[a][b] * (rows[i][cb] / s.norms[b])));
        theta[c] = (s.z[a] - wa * factor) / s.norms[a];
      });
    }
    out.push(theta);
  }
  return out;
}
