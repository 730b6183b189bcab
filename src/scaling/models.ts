/**
 * Models of a workload's wall time t against the number of workers m, each a non-negative least
 * squares fit on its own basis (pure):
 *
 * - Ernest (Venkataraman et al., NSDI 2016): t = th0 + th1 scale/m + th2 m + th3 log m;
 * - Amdahl: t = a + b/m (serial part a, parallel part b);
 * - USL (Gunther): throughput X = lambda m / (1 + sigma (m-1) + kappa m (m-1)) for a fixed workload W
 *   is t = W/X = a/m + b (1 - 1/m) + c (m - 1), with a = W/lambda, b = a sigma, c = a kappa.
 *
 * Each model is checked by leave-one-out cross-validation: fitted on all points but one, it
 * predicts the one left out; its error is the root mean square of (predicted - measured) / measured
 * over the points. A model is only checked when the points left after holding one out determine
 * its parameters (at least as many points as parameters); its fit on all points (trainError) is
 * never taken as evidence, since a saturated model fits any points exactly.
 */
import { solveLeastSquares } from '../stats/ols.js';
import { leaveOneOutNnls } from './leave-one-out.js';

export type ModelName = 'ernest' | 'amdahl' | 'usl';
export const MODEL_NAMES: readonly ModelName[] = ['ernest', 'amdahl', 'usl'];

export interface TimePoint {
  workers: number;
  seconds: number;
  /** Data size (Ernest's scale); 1 when the table does not vary it. */
  scale?: number;
}

export interface ModelFit {
  model: ModelName;
  /** Non-negative coefficients of the model's basis (see `basis`). */
  theta: number[];
  /** Root mean square relative error of the fit on the points it was fitted to. */
  trainError: number;
  /** Leave-one-out error (RMS relative); null when the model cannot be checked on these points. */
  looError: number | null;
  /** Why looError is null. */
  reason?: string;
}

/** The basis functions of each model at m workers (scale: Ernest's data size). */
export function basis(model: ModelName, m: number, scale = 1): number[] {
  switch (model) {
    case 'ernest':
      return [1, scale / m, m, Math.log(m)];
    case 'amdahl':
      return [1, 1 / m];
    case 'usl':
      return [1 / m, 1 - 1 / m, m - 1];
  }
}

export const PARAMETERS: Record<ModelName, number> = { ernest: 4, amdahl: 2, usl: 3 };

export function predictSeconds(fit: Pick<ModelFit, 'model' | 'theta'>, m: number, scale = 1): number {
  return basis(fit.model, m, scale).reduce((s, v, i) => s + v * fit.theta[i], 0);
}

/**
 * Unconstrained least squares on the given columns (src/stats/ols.ts: Householder QR, no normal
 * equations, so columns spanning decades of m keep their digits); undefined when they are dependent.
 */
function leastSquares(rows: number[][], y: number[], columns: number[]): number[] | undefined {
  return solveLeastSquares(columns.map((c) => rows.map((r) => r[c])), y);
}

/**
 * Non-negative least squares for a handful of columns: the NNLS optimum is the unconstrained least
 * squares solution on its own support, so the best feasible solution over every subset of columns
 * is exact (2^4 = 16 small solves at most). Among equally good fits the one with fewer terms wins.
 */
export function nnls(rows: number[][], y: number[]): number[] {
  const k = rows[0]?.length ?? 0;
  let best = new Array<number>(k).fill(0);
  let bestSse = y.reduce((s, v) => s + v * v, 0);
  let bestTerms = 0;
  for (let mask = 1; mask < 1 << k; mask++) {
    const columns = [...Array(k).keys()].filter((j) => mask & (1 << j));
    if (columns.length > rows.length) continue;
    const sol = leastSquares(rows, y, columns);
    if (!sol || sol.some((v) => !(v >= 0))) continue;
    const theta = new Array<number>(k).fill(0);
    columns.forEach((c, j) => (theta[c] = sol[j]));
    let sse = 0;
    for (let n = 0; n < rows.length; n++) {
      let p = 0;
      for (let j = 0; j < k; j++) p += rows[n][j] * theta[j];
      sse += (p - y[n]) ** 2;
    }
    const tolerance = 1e-12 * Math.max(1, y.reduce((s, v) => s + v * v, 0));
    if (sse < bestSse - tolerance || (Math.abs(sse - bestSse) <= tolerance && columns.length < bestTerms)) {
      best = theta;
      bestSse = sse;
      bestTerms = columns.length;
    }
  }
  return best;
}

/** Fits one model by NNLS on time. */
export function fitModel(model: ModelName, points: readonly TimePoint[]): Pick<ModelFit, 'model' | 'theta'> {
  const rows = points.map((p) => basis(model, p.workers, p.scale ?? 1));
  return { model, theta: nnls(rows, points.map((p) => p.seconds)) };
}

/** The model fitted on every point but the i-th, for each i (linear time: see leave-one-out.ts). */
export function leaveOneOutFits(model: ModelName, points: readonly TimePoint[]): Pick<ModelFit, 'model' | 'theta'>[] {
  const rows = points.map((p) => basis(model, p.workers, p.scale ?? 1));
  return leaveOneOutNnls(rows, points.map((p) => p.seconds)).map((theta) => ({ model, theta }));
}

function rmsRelative(pairs: [predicted: number, measured: number][]): number {
  return Math.sqrt(pairs.reduce((s, [p, m]) => s + ((p - m) / m) ** 2, 0) / pairs.length);
}

/** The model's fit on all points with its training and leave-one-out errors. */
export function checkModel(model: ModelName, points: readonly TimePoint[]): ModelFit {
  const fit = fitModel(model, points);
  const trainError = rmsRelative(points.map((p) => [predictSeconds(fit, p.workers, p.scale), p.seconds]));
  if (points.length - 1 < PARAMETERS[model]) {
    return { ...fit, trainError, looError: null, reason: `${model} has ${PARAMETERS[model]} parameters: checking it needs at least ${PARAMETERS[model] + 1} measured points, got ${points.length}` };
  }
  const loo = leaveOneOutFits(model, points);
  const held = points.map((p, i) => [predictSeconds(loo[i], p.workers, p.scale), p.seconds] as [number, number]);
  return { ...fit, trainError, looError: rmsRelative(held) };
}

/** Every model checked on the points; `chosen` is the one with the lowest leave-one-out error (null if none can be checked). */
export function chooseModel(points: readonly TimePoint[], models: readonly ModelName[] = MODEL_NAMES): { models: ModelFit[]; chosen: ModelFit | null } {
  const fits = models.map((m) => checkModel(m, points));
  const checked = fits.filter((f) => f.looError !== null && Number.isFinite(f.looError));
  // Lowest LOO error; on a tie (within 1e-9), the model with fewer parameters.
  const chosen = checked.reduce<ModelFit | null>((best, f) => {
    if (!best) return f;
    const d = f.looError! - best.looError!;
    return d < -1e-9 || (Math.abs(d) <= 1e-9 && PARAMETERS[f.model] < PARAMETERS[best.model]) ? f : best;
  }, null);
  return { models: fits, chosen };
}
