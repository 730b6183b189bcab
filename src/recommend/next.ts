/**
 * `recommend --next`: which configuration to measure next to find the best one for the goal in
 * few runs (pure).
 *
 * - A machine with fewer than 4 measured points has no checkable model: the next run spreads the
 *   measured counts (the candidate farthest, in log scale, from every measured count), so a model
 *   can be fitted and checked soon; the first points double the largest measured count.
 * - Otherwise the next run is the unmeasured candidate with the largest expected improvement
 *   (CherryPick's acquisition) of the objective over the best measured one, under a normal
 *   prediction whose spread is the jackknife spread of the leave-one-out fits at that count plus
 *   the model's leave-one-out error. Once no candidate is expected to improve the objective by more
 *   than `minImprovement` (relative), the answer is null with the reason.
 */
import { leaveOneOutFits, predictSeconds, type ModelFit, type TimePoint } from '../scaling/models.js';
import { analyse, MIN_POINTS, type Analysis, type MachineState, type Recommendation, type RecommendSettings } from './analyse.js';
import type { MeasuredRow } from './measurements.js';
import { RECOMMEND_DEFAULTS } from '../options/recommend.js';
import standardNormalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface NextRun {
  machine: string;
  workers: number;
  /** Predicted seconds there (null when no model is checked yet). */
  predictedSeconds: number | null;
  /** Expected improvement of the objective, relative to the best measured (null when spreading). */
  expectedImprovement: number | null;
}

export interface NextAnswer {
  next: NextRun | null;
  reason: string;
  recommended: Recommendation['recommended'];
  basis: Recommendation['basis'];
  fits: Recommendation['fits'];
  notes: string[];
}

const normalPdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
const normalCdf = (z: number) => standardNormalCdf(z, 0, 1);

export function expectedImprovement(best: number, mean: number, sd: number): number {
  if (!(sd > 0)) return Math.max(best - mean, 0);
  const z = (best - mean) / sd;
  return (best - mean) * normalCdf(z) + sd * normalPdf(z);
}

/** Predicted seconds at m and its standard deviation (jackknife of the leave-one-out fits plus the LOO error). */
/** The chosen model's leave-one-out fits per machine, computed once for every candidate count. */
const looCache = new WeakMap<MachineState, Pick<ModelFit, 'model' | 'theta'>[]>();

export function predictionSpread(state: MachineState, m: number): { mean: number; sd: number } {
  const chosen = state.chosen!;
  const mean = predictSeconds(chosen, m, state.scale);
  const n = state.points.length;
  let fits = looCache.get(state);
  if (!fits) looCache.set(state, (fits = leaveOneOutFits(chosen.model, state.points)));
  const loo = fits.map((fit) => predictSeconds(fit, m, state.scale));
  const avg = loo.reduce((s, v) => s + v, 0) / n;
  const jackknife = ((n - 1) / n) * loo.reduce((s, v) => s + (v - avg) ** 2, 0);
  return { mean, sd: Math.sqrt(jackknife + ((chosen.looError ?? 0) * mean) ** 2) };
}

/** The count farthest in log scale from every measured one (ties: the smaller). */
function spreadingCount(points: readonly TimePoint[], counts: readonly number[]): number | undefined {
  const measured = new Set(points.map((p) => p.workers));
  let best: number | undefined;
  let bestDistance = -1;
  for (const m of counts) {
    if (measured.has(m)) continue;
    const d = Math.min(...points.map((p) => Math.abs(Math.log(m / p.workers))));
    if (d > bestDistance + 1e-12) {
      best = m;
      bestDistance = d;
    }
  }
  return best;
}

export function nextFromAnalysis(analysis: Analysis, minImprovement: number = RECOMMEND_DEFAULTS.minImprovement): NextAnswer {
  const { result, machines, settings } = analysis;
  const answer = (next: NextRun | null, reason: string): NextAnswer => ({
    next,
    reason,
    recommended: result.recommended,
    basis: result.basis,
    fits: result.fits,
    notes: result.notes,
  });

  // A machine whose model cannot be checked yet: spread its points first (the one with the fewest).
  const unchecked = machines.filter((s) => !s.chosen && s.points.length < MIN_POINTS).sort((a, b) => a.points.length - b.points.length);
  for (const state of unchecked) {
    const largest = Math.max(...state.points.map((p) => p.workers));
    const counts = settings.candidates ?? Array.from({ length: settings.maxWorkers ?? RECOMMEND_DEFAULTS.maxWorkersPerMeasured * largest }, (_, i) => i + 1);
    const m = spreadingCount(state.points, counts);
    if (m !== undefined) {
      return answer({ machine: state.fit.machine, workers: m, predictedSeconds: null, expectedImprovement: null }, `${state.fit.machine}: ${state.points.length} measured point${state.points.length === 1 ? '' : 's'}, a model needs ${MIN_POINTS} to be checked: measure the count farthest from those measured`);
    }
  }

  // A recommendation far past the measured counts is a guess however confident the model: check it first.
  const guess = result.recommended;
  if (guess && !guess.measured && guess.extrapolation === 'far') {
    return answer({ machine: guess.machine, workers: guess.workers, predictedSeconds: guess.predictedSeconds, expectedImprovement: null }, `the recommended ${guess.workers} workers on ${guess.machine} is far past the measured counts: measure it before relying on the prediction`);
  }
  const measuredBest = result.candidates.filter((c) => c.measured && c.withinBudget).reduce((b, c) => Math.min(b, c.objective), Infinity);
  if (!Number.isFinite(measuredBest)) return answer(null, 'no measured configuration fits the budget: nothing to improve on');
  let best: { run: NextRun; ei: number } | undefined;
  for (const state of machines) {
    if (!state.chosen) continue;
    const price = state.fit.pricePerHour;
    const measured = new Set(state.atScale.map((p) => p.workers));
    for (const m of state.counts) {
      if (measured.has(m)) continue;
      const { mean, sd } = predictionSpread(state, m);
      // objective = seconds * (alpha + beta * m * price / 3600): linear in seconds.
      const factor = settings.alpha + (settings.beta * m * price) / 3600;
      if (settings.budget !== undefined && (mean / 3600) * m * price > settings.budget) continue;
      const ei = expectedImprovement(measuredBest, mean * factor, sd * factor);
      if (!best || ei > best.ei * (1 + 1e-9))
        best = { run: { machine: state.fit.machine, workers: m, predictedSeconds: mean, expectedImprovement: ei / measuredBest }, ei };
    }
  }
  if (!best) {
    const tableOnly = machines.every((s) => !s.chosen);
    return answer(null, tableOnly ? 'no machine has a model that predicts well: nothing unmeasured can be ranked (measure more counts by hand, or raise --max-loo-error)' : 'every candidate is measured');
  }
  const relative = best.ei / measuredBest;
  if (relative <= minImprovement) {
    return answer(null, `no candidate is expected to improve the objective by more than ${(minImprovement * 100).toFixed(1)}% (largest expected improvement ${(relative * 100).toFixed(2)}%, at ${best.run.workers} workers on ${best.run.machine}): the recommendation stands`);
  }
  return answer(best.run, `largest expected improvement of the objective: ${(relative * 100).toFixed(1)}% over the best measured, at ${best.run.workers} workers on ${best.run.machine}`);
}

export function nextRun(
  rows: readonly MeasuredRow[],
  settings: RecommendSettings = {},
  minImprovement: number = RECOMMEND_DEFAULTS.minImprovement,
): NextAnswer {
  return nextFromAnalysis(analyse(rows, { model: RECOMMEND_DEFAULTS.nextModel, ...settings }), minImprovement);
}
