/**
 * A REST request body to recommend options, parsed by recommend's own schema (src/options/) so a
 * bad value gets the command line's message, naming the JSON key the client sent (`maxWorkers:
 * expected a positive integer, got "x"`, where the CLI says `--max-workers`). Measurements come as rows (`measurements`) or as CSV / JSON Lines text
 * (`table`); the server never reads files or run folders named by a client.
 */
import { usageError, PipelineError } from '../errors.js';
import { parseOptions } from '../options/define.js';
import { recommendOptions } from '../options/recommend.js';
import type { RecommendOptions } from '../recommend/recommend.js';

/** The options a client may give: the CLI's, less what reads the server's files. */
const FIELDS = ['goal', 'alpha', 'beta', 'budget', 'pricePerWorkerHour', 'model', 'candidates', 'maxWorkers', 'maxLooError', 'minImprovement', 'scale', 'images'] as const;
type Field = (typeof FIELDS)[number];
const isField = (key: string): key is Field => (FIELDS as readonly string[]).includes(key);

/** Empty form fields mean "not given", as an absent CLI option does. */
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** `--max-workers` -> `maxWorkers` in a message: a client sent JSON keys, not flags. */
export function withJsonKeys(message: string): string {
  const keys = [...FIELDS, 'measurements', 'where'];
  const byFlag = new Map(keys.map((k) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, k]));
  return message.replace(/--[a-z][a-z-]*/g, (flag) => byFlag.get(flag) ?? flag);
}

export function optionsFromBody(body: unknown): RecommendOptions {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PipelineError('USAGE', 'request body: expected a JSON object with measurements (rows) or table (CSV text) and the CLI\'s options');
  const b = body as Record<string, unknown>;
  // Form fields are text, as on a command line: read them as the CLI reads its options.
  const raw: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) {
    if (key === 'measurements' || key === 'table' || key === 'where' || blank(value)) continue;
    if (!isField(key)) throw new PipelineError('USAGE', `request body: unknown option ${JSON.stringify(key)}; expected measurements, table, where, ${FIELDS.join(', ')}`);
    const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    const spec = recommendOptions.specs[key];
    raw[key] = text;
    values[key] = 'fromText' in spec && spec.fromText ? spec.fromText(text) : text;
  }
  if (!blank(b.measurements)) {
    if (!Array.isArray(b.measurements)) throw usageError('measurements', 'an array of rows such as {"workers": 4, "seconds": 120}', typeof b.measurements);
    values.rows = b.measurements;
  }
  if (!blank(b.table)) {
    if (typeof b.table !== 'string') throw usageError('table', 'CSV or JSON Lines text', typeof b.table);
    values.table = b.table;
  }
  if (!values.rows && values.table === undefined) throw new PipelineError('USAGE', 'request body: expected measurements (an array of rows) or table (CSV or JSON Lines text)');
  if (!blank(b.where)) {
    const where = b.where;
    values.where = Array.isArray(where) ? where.map(String) : typeof where === 'object' ? Object.entries(where as object).map(([k, v]) => `${k}=${v}`) : String(where).split(/[\n;]/).filter((s) => s.trim());
  }
  return parseOptions(recommendOptions, values, { kind: 'cli', raw });
}
