/**
 * `pipeline recommend`: the (machine, worker count) that minimises alpha * time + beta * cost
 * subject to cost <= budget, from measurement tables (`--measurements`), speed-test run folders,
 * or rows given directly (the REST API). This file gathers the rows; analyse.ts answers.
 */
import { resolve } from 'node:path';
import { PipelineError } from '../errors.js';
import { parseOptions } from '../options/define.js';
import { RECOMMEND_DEFAULTS, recommendOptions, type RecommendOptionsInput, type RecommendOptionsParsed } from '../options/recommend.js';
import { loadRun } from '../run-folder/load-run.js';
import { systemThroughput, tasksPerSetting } from '../scaling/run-points.js';
import { analyse, type Recommendation, type RecommendSettings } from './analyse.js';
import { applyWhere, MAX_ROWS, MAX_WORKERS, normalizeRow, parseMeasurements, readMeasurements, type MeasuredRow } from './measurements.js';
import { nextFromAnalysis, type NextAnswer } from './next.js';

export type { Candidate, Goal, Recommendation } from './analyse.js';

/** Runs, tables, rows, goal, weights, budget, price, models and filters: src/options/recommend.ts. */
export type RecommendOptions = RecommendOptionsInput;
/** The same, checked and with their defaults. */
type RecommendRun = RecommendOptionsParsed;

/** The largest --max-workers: the best count between two grid points is searched integer by integer. */
export const MAX_WORKERS_LIMIT = MAX_WORKERS;
export const MAX_CANDIDATES = 10_000;

/** Speed-test runs as measured rows: one per worker count, system throughput, the machine's CPU as its type. */
async function runRows(dirs: readonly string[], options: RecommendRun): Promise<{ rows: MeasuredRow[]; datasetSize: number }> {
  const rows: MeasuredRow[] = [];
  let datasetSize = 0;
  for (const dir of dirs) {
    const run = await loadRun(resolve(dir));
    const dataset = options.dataset ?? (run.measurements.some((r) => r.dataset === 'tfrecord') ? 'tfrecord' : 'images');
    const cache = options.cache;
    const matching = run.measurements.filter(
      (r) => r.dataset === dataset && r.cache === cache && (options.batchSize === undefined || r.batch_size === options.batchSize),
    );
    if (matching.length === 0) throw new PipelineError('DATA', `${dir}: no measurements for dataset ${dataset}, cache ${cache}${options.batchSize ? `, batch size ${options.batchSize}` : ''}`);
    datasetSize = Math.max(datasetSize, Number(run.info.datasetSizes?.[dataset] ?? 0));
    const machine = String(run.info.cpu?.model ?? RECOMMEND_DEFAULTS.machine).trim() || RECOMMEND_DEFAULTS.machine;
    const cores = Number(run.info.cpu?.cores) || undefined;
    for (const p of systemThroughput(matching, tasksPerSetting(run.tasks as { workers?: number }[]))) {
      rows.push({ source: dir, machine, workers: p.workers, throughput: p.throughput, cores, extra: {} });
    }
  }
  return { rows, datasetSize };
}

export function checkSettings(options: RecommendRun): void {
  if (options.maxWorkers !== undefined && options.maxWorkers > MAX_WORKERS_LIMIT) throw new PipelineError('USAGE', `--max-workers: expected at most ${MAX_WORKERS_LIMIT}, got ${options.maxWorkers}`);
  if (options.candidates && options.candidates.length > MAX_CANDIDATES) throw new PipelineError('USAGE', `--candidates: expected at most ${MAX_CANDIDATES} counts, got ${options.candidates.length}`);
  if (options.candidates && options.maxWorkers !== undefined) throw new PipelineError('USAGE', '--candidates and --max-workers: give one of them, not both');
}

async function gather(options: RecommendRun): Promise<{ rows: MeasuredRow[]; settings: RecommendSettings; notes: string[] }> {
  checkSettings(options);
  const runs = options.runs ?? [];
  const tables = options.measurements ?? [];
  if (runs.length === 0 && tables.length === 0 && !options.rows && options.table === undefined) {
    throw new PipelineError('USAGE', 'recommend: expected run folders or --measurements FILE (or both)');
  }
  // concat, not push(...rows): a spread of 100,000 arguments overflows the stack.
  let rows: MeasuredRow[] = [];
  for (const file of tables) rows = rows.concat(await readMeasurements(file));
  if (options.table !== undefined) rows = rows.concat(parseMeasurements(options.table, 'measurements'));
  if (options.rows) {
    if (options.rows.length === 0) throw new PipelineError('DATA', 'measurements: no rows; expected one object per run with workers and seconds');
    if (options.rows.length > MAX_ROWS) throw new PipelineError('DATA', `measurements: ${options.rows.length} rows, more than the ${MAX_ROWS} a measurement table may hold`);
    rows = rows.concat(options.rows.map((r, i) => normalizeRow(r, `measurements[${i}]`)));
  }
  if (options.where?.length) rows = applyWhere(rows, options.where);
  const fromRuns = await runRows(runs, options);
  rows = rows.concat(fromRuns.rows);
  const notes: string[] = [];
  const explicitModel = options.model !== undefined;
  // The seed's lookup: a table with nothing asked of a model answers from the table alone.
  const model = options.model ?? (runs.length > 0 || options.candidates || options.maxWorkers !== undefined ? 'auto' : 'none');
  if (model === 'none' && !explicitModel) notes.push('answered from the measured table alone; --model auto (or --candidates, --max-workers, --next) checks the models and predicts unmeasured counts');
  const work = options.images ?? (runs.length > 0 ? Math.max(fromRuns.datasetSize, 1) : undefined);
  return { rows, settings: { ...options, model, work }, notes };
}

export async function recommend(input: RecommendOptions): Promise<Recommendation> {
  const { rows, settings, notes } = await gather(parseOptions(recommendOptions, input));
  const { result } = analyse(rows, settings);
  result.notes.unshift(...notes);
  return result;
}

/** `recommend --next`: the configuration to measure next (null with the reason once none is expected to help). */
export async function recommendNext(input: RecommendOptions): Promise<NextAnswer> {
  const options = parseOptions(recommendOptions, input);
  const { rows, settings } = await gather({ ...options, model: options.model ?? RECOMMEND_DEFAULTS.nextModel });
  return nextFromAnalysis(analyse(rows, settings), options.minImprovement);
}
