/**
 * `pipeline recommend`: the worker count that minimises alpha * time + beta * cost subject to
 * cost <= budget (the formulation of the follow-up work on cluster recommenders), over the measured
 * settings and over unmeasured worker counts predicted by a scaling law fitted to the measurements.
 */
import { resolve } from 'node:path';
import { median } from 'simple-statistics';
import { PipelineError } from '../errors.js';
import { loadRun } from '../report/load-run.js';
import type { MeasurementRow } from '../speedtest/task.js';
import { fitScaling, peakWorkers, predict, type ScalingFit, type ScalingPoint } from './scaling-law.js';

export type Goal = 'time' | 'cost' | 'weighted';

export interface RecommendOptions {
  runs: string[];
  goal?: Goal;
  alpha?: number;
  beta?: number;
  budget?: number;
  pricePerWorkerHour?: number;
  batchSize?: number;
  dataset?: 'images' | 'tfrecord';
  cache?: 'off' | 'on';
  /** The workload: images to read (default: one epoch of the dataset). */
  images?: number;
  /** Largest worker count to consider (default: twice the largest measured). */
  maxWorkers?: number;
}

export interface Candidate {
  workers: number;
  measured: boolean;
  /** System images/s: measured, else predicted by the fit. */
  throughput: number;
  seconds: number;
  cost: number;
  objective: number;
  withinBudget: boolean;
  /** "no" inside the measured range; "near" up to 2x the largest measured; "far" beyond. */
  extrapolated: 'no' | 'near' | 'far';
}

export interface Recommendation {
  recommended: Candidate | null;
  candidates: Candidate[];
  fit: ScalingFit | null;
  measured: ScalingPoint[];
  goal: Goal;
  alpha: number;
  beta: number;
  budget: number | null;
  pricePerWorkerHour: number;
  images: number;
  filter: { dataset: string; cache: string; batchSize: number | null };
  notes: string[];
}

/**
 * System throughput of one setting: per-pass images/s (median of the matching passes) times the
 * threads that ran such passes at once. Every thread runs a pass at a time, so the system delivers
 * the sum of its threads' rates.
 */
export function measuredPoints(rows: readonly MeasurementRow[], tasksBySetting: Map<number, number>): ScalingPoint[] {
  const byWorkers = new Map<number, number[]>();
  for (const r of rows) {
    if (!byWorkers.has(r.workers)) byWorkers.set(r.workers, []);
    byWorkers.get(r.workers)!.push(r.images_per_second);
  }
  return [...byWorkers.entries()]
    .map(([workers, rates]) => ({ workers, throughput: Math.min(workers, tasksBySetting.get(workers) ?? workers) * median(rates) }))
    .sort((a, b) => a.workers - b.workers);
}

export function recommendFrom(rows: readonly MeasurementRow[], options: Omit<RecommendOptions, 'runs'> & { datasetSize: number; tasksBySetting?: Map<number, number> }): Recommendation {
  const goal = options.goal ?? 'time';
  const alpha = goal === 'time' ? 1 : goal === 'cost' ? 0 : options.alpha ?? 1;
  const beta = goal === 'cost' ? 1 : goal === 'time' ? 0 : options.beta ?? 1;
  const price = options.pricePerWorkerHour ?? 1;
  const dataset = options.dataset ?? (rows.some((r) => r.dataset === 'tfrecord') ? 'tfrecord' : 'images');
  const cache = options.cache ?? 'off';
  const matching = rows.filter((r) => r.dataset === dataset && r.cache === cache && (options.batchSize === undefined || r.batch_size === options.batchSize));
  if (matching.length === 0) {
    throw new PipelineError('DATA', `no measurements for dataset ${dataset}, cache ${cache}${options.batchSize ? `, batch size ${options.batchSize}` : ''} in the given runs`);
  }
  const images = options.images ?? options.datasetSize;
  const measured = measuredPoints(matching, options.tasksBySetting ?? new Map());
  const fit = fitScaling(measured) ?? null;
  const notes: string[] = [];
  const maxMeasured = Math.max(...measured.map((p) => p.workers));
  const maxWorkers = options.maxWorkers ?? (fit ? 2 * maxMeasured : maxMeasured);
  if (!fit) notes.push('one worker count measured: no scaling law can be fitted, only the measured setting is a candidate (run speedtest --sweep-workers 1,2,4)');
  if (fit && maxWorkers > 2 * maxMeasured) notes.push(`candidates past ${2 * maxMeasured} workers are far beyond the measured ${maxMeasured}: the fit's predictions there are guesses`);
  if (fit && fit.kappa > 0 && peakWorkers(fit) < maxWorkers) notes.push(`the fit puts peak throughput at about ${peakWorkers(fit).toFixed(1)} workers: more are slower`);

  const candidates: Candidate[] = [];
  for (let workers = 1; workers <= maxWorkers; workers++) {
    const point = measured.find((p) => p.workers === workers);
    if (!point && !fit) continue;
    const throughput = point ? point.throughput : predict(fit!, workers);
    if (!(throughput > 0)) continue;
    const seconds = images / throughput;
    const cost = (seconds / 3600) * workers * price;
    candidates.push({
      workers,
      measured: Boolean(point),
      throughput,
      seconds,
      cost,
      objective: alpha * seconds + beta * cost,
      withinBudget: options.budget === undefined || cost <= options.budget,
      extrapolated: workers <= maxMeasured ? 'no' : workers <= 2 * maxMeasured ? 'near' : 'far',
    });
  }
  const feasible = candidates.filter((c) => c.withinBudget);
  // Lowest objective; on a tie, fewer workers.
  const recommended = feasible.reduce<Candidate | null>((best, c) => (!best || c.objective < best.objective * (1 - 1e-12) ? c : best), null);
  if (!recommended) notes.push(`no candidate fits the budget of ${options.budget}: the cheapest costs ${Math.min(...candidates.map((c) => c.cost)).toPrecision(3)}`);
  return { recommended, candidates, fit, measured, goal, alpha, beta, budget: options.budget ?? null, pricePerWorkerHour: price, images, filter: { dataset, cache, batchSize: options.batchSize ?? null }, notes };
}

export async function recommend(options: RecommendOptions): Promise<Recommendation> {
  if (options.runs.length === 0) throw new PipelineError('USAGE', 'recommend: expected at least one run folder');
  const runs = await Promise.all(options.runs.map((r) => loadRun(resolve(r))));
  const rows = runs.flatMap((r) => r.measurements);
  const dataset = options.dataset ?? (rows.some((r) => r.dataset === 'tfrecord') ? 'tfrecord' : 'images');
  const datasetSize = Math.max(...runs.map((r) => Number(r.info.datasetSizes?.[dataset] ?? 0)), 1);
  const tasksBySetting = new Map<number, number>();
  for (const run of runs) for (const t of run.tasks as unknown as { workers?: number }[]) tasksBySetting.set(t.workers ?? 0, (tasksBySetting.get(t.workers ?? 0) ?? 0) + 1);
  return recommendFrom(rows, { ...options, dataset, datasetSize, tasksBySetting });
}
