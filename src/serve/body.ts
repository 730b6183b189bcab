/**
 * A REST request body to recommend options, validated by the CLI's own option parsers so a bad
 * value gets the same message as on the command line (`--max-workers: expected a positive
 * integer, got "x"`). Measurements come as rows (`measurements`) or as CSV / JSON Lines text
 * (`table`); the server never reads files or run folders named by a client.
 */
import { usageError, PipelineError } from '../errors.js';
import { fraction, intList, nonNegativeNumber, oneOf, parseWhere, positiveInt, positiveNumber } from '../cli/parse.js';
import type { RecommendOptions } from '../recommend/recommend.js';

type Parser = (value: string) => unknown;

/** Body key -> [CLI option, parser]: one table, so the API and the CLI cannot drift apart. */
const FIELDS: Record<string, [string, Parser]> = {
  goal: ['--goal', oneOf('--goal', ['time', 'cost', 'weighted'] as const)],
  alpha: ['--alpha', nonNegativeNumber('--alpha')],
  beta: ['--beta', nonNegativeNumber('--beta')],
  budget: ['--budget', positiveNumber('--budget')],
  pricePerWorkerHour: ['--price-per-worker-hour', positiveNumber('--price-per-worker-hour')],
  model: ['--model', oneOf('--model', ['auto', 'ernest', 'amdahl', 'usl', 'none'] as const)],
  candidates: ['--candidates', intList('--candidates')],
  maxWorkers: ['--max-workers', positiveInt('--max-workers')],
  maxLooError: ['--max-loo-error', fraction('--max-loo-error')],
  minImprovement: ['--min-improvement', fraction('--min-improvement')],
  scale: ['--scale', positiveNumber('--scale')],
  images: ['--images', positiveInt('--images')],
};

/** Empty form fields mean "not given", as an absent CLI option does. */
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

export function optionsFromBody(body: unknown): RecommendOptions {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PipelineError('USAGE', 'request body: expected a JSON object with measurements (rows) or table (CSV text) and the CLI\'s options');
  const b = body as Record<string, unknown>;
  const options: RecommendOptions = { maxLooError: 0.25, pricePerWorkerHour: 1, goal: 'time' };
  for (const [key, value] of Object.entries(b)) {
    if (key === 'measurements' || key === 'table' || key === 'where' || blank(value)) continue;
    const field = FIELDS[key];
    if (!field) throw new PipelineError('USAGE', `request body: unknown option ${JSON.stringify(key)}; expected measurements, table, where, ${Object.keys(FIELDS).join(', ')}`);
    const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    (options as Record<string, unknown>)[key] = field[1](text);
  }
  if (!blank(b.measurements)) {
    if (!Array.isArray(b.measurements)) throw usageError('measurements', 'an array of rows such as {"workers": 4, "seconds": 120}', typeof b.measurements);
    options.rows = b.measurements;
  }
  if (!blank(b.table)) {
    if (typeof b.table !== 'string') throw usageError('table', 'CSV or JSON Lines text', typeof b.table);
    options.table = b.table;
  }
  if (!options.rows && options.table === undefined) throw new PipelineError('USAGE', 'request body: expected measurements (an array of rows) or table (CSV or JSON Lines text)');
  if (!blank(b.where)) {
    const where = b.where;
    const list = Array.isArray(where) ? where.map(String) : typeof where === 'object' ? Object.entries(where as object).map(([k, v]) => `${k}=${v}`) : String(where).split(/[\n;]/).filter((s) => s.trim());
    options.where = list.map(parseWhere);
  }
  return options;
}
