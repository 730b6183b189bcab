/**
 * Scaling laws of throughput X against the number of workers N, fitted to measurements. Pure.
 *
 * Universal Scalability Law (Gunther): X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)),
 * with sigma (contention) and kappa (coherency) >= 0; kappa > 0 makes throughput fall past a peak.
 * Amdahl's law is the USL with kappa = 0. The fit is least squares on the linear form
 *   N / X = a + b (N - 1) + c N (N - 1),  a = 1 / lambda, b = sigma / lambda, c = kappa / lambda
 * with b, c >= 0 (the best of the feasible sub-models when the free fit breaks a sign).
 */

export interface ScalingPoint {
  workers: number;
  throughput: number;
}

export interface ScalingFit {
  model: 'usl' | 'amdahl' | 'linear';
  lambda: number;
  sigma: number;
  kappa: number;
  /** Root mean square of (predicted - measured) / measured over the points. */
  rmseRelative: number;
  /** Coefficient of determination of the predicted throughputs. */
  r2: number;
  points: number;
  /** Largest measured worker count: predictions past it are extrapolations. */
  maxMeasuredWorkers: number;
}

export function predict(fit: Pick<ScalingFit, 'lambda' | 'sigma' | 'kappa'>, workers: number): number {
  return (fit.lambda * workers) / (1 + fit.sigma * (workers - 1) + fit.kappa * workers * (workers - 1));
}

/** The peak of the USL curve (workers, real-valued), Infinity when throughput never falls. */
export function peakWorkers(fit: Pick<ScalingFit, 'sigma' | 'kappa'>): number {
  return fit.kappa > 0 ? Math.sqrt((1 - fit.sigma) / fit.kappa) : Infinity;
}

/** Least squares for y = X beta over the given columns (normal equations; 1 to 3 columns). */
function leastSquares(columns: number[][], y: number[]): number[] | undefined {
  const k = columns.length;
  const a = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => columns[i].reduce((s, v, n) => s + v * columns[j][n], 0)));
  const b = columns.map((col) => col.reduce((s, v, n) => s + v * y[n], 0));
  // Gaussian elimination with partial pivoting.
  for (let i = 0; i < k; i++) {
    let p = i;
    for (let r = i + 1; r < k; r++) if (Math.abs(a[r][i]) > Math.abs(a[p][i])) p = r;
    if (Math.abs(a[p][i]) < 1e-300) return undefined;
    [a[i], a[p]] = [a[p], a[i]];
    [b[i], b[p]] = [b[p], b[i]];
    for (let r = i + 1; r < k; r++) {
      const f = a[r][i] / a[i][i];
      for (let c = i; c < k; c++) a[r][c] -= f * a[i][c];
      b[r] -= f * b[i];
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) x[i] = (b[i] - a[i].slice(i + 1).reduce((s, v, j) => s + v * x[i + 1 + j], 0)) / a[i][i];
  return x;
}

export function fitScaling(points: readonly ScalingPoint[]): ScalingFit | undefined {
  const usable = points.filter((p) => p.workers >= 1 && p.throughput > 0);
  const distinct = new Set(usable.map((p) => p.workers)).size;
  if (distinct < 2) return undefined;
  const n = usable.map((p) => p.workers);
  const y = usable.map((p) => p.workers / p.throughput);
  const one = n.map(() => 1);
  const serial = n.map((v) => v - 1);
  const crosstalk = n.map((v) => v * (v - 1));
  const candidates: { model: ScalingFit['model']; a: number; b: number; c: number }[] = [];
  if (distinct >= 3) {
    const x = leastSquares([one, serial, crosstalk], y);
    if (x) candidates.push({ model: 'usl', a: x[0], b: x[1], c: x[2] });
    const kappaOnly = leastSquares([one, crosstalk], y);
    if (kappaOnly) candidates.push({ model: 'usl', a: kappaOnly[0], b: 0, c: kappaOnly[1] });
  }
  const amdahl = leastSquares([one, serial], y);
  if (amdahl) candidates.push({ model: 'amdahl', a: amdahl[0], b: amdahl[1], c: 0 });
  const linear = leastSquares([one], y);
  if (linear) candidates.push({ model: 'linear', a: linear[0], b: 0, c: 0 });

  let best: ScalingFit | undefined;
  let bestSse = Infinity;
  for (const c of candidates.filter((c) => c.a > 0 && c.b >= 0 && c.c >= 0)) {
    const fit = { lambda: 1 / c.a, sigma: c.b / c.a, kappa: c.c / c.a };
    const sse = usable.reduce((s, p) => s + (predict(fit, p.workers) - p.throughput) ** 2, 0);
    if (sse < bestSse * (1 - 1e-9)) {
      bestSse = sse;
      const mean = usable.reduce((s, p) => s + p.throughput, 0) / usable.length;
      const sst = usable.reduce((s, p) => s + (p.throughput - mean) ** 2, 0);
      best = {
        model: c.model,
        ...fit,
        rmseRelative: Math.sqrt(usable.reduce((s, p) => s + ((predict(fit, p.workers) - p.throughput) / p.throughput) ** 2, 0) / usable.length),
        r2: sst > 0 ? 1 - sse / sst : 1,
        points: usable.length,
        maxMeasuredWorkers: Math.max(...n),
      };
    }
  }
  return best;
}
