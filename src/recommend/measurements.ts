/**
 * Measurement tables brought by the user (CSV or JSON Lines), one row per measured run:
 * `workers` (or `nodes`), `seconds` (the workload's wall time) or `throughput`, optional `machine`,
 * `price_per_hour` (per worker or node), `cores`, `scale` (data size, Ernest's scale), and any other
 * columns, which `--where KEY=VALUE` filters on. Parsing is pure; `readMeasurements` is the file edge.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { PipelineError, usageError } from '../errors.js';
import { jsonNesting } from '../json.js';
export { parseWhere } from '../options/recommend.js';

export interface MeasuredRow {
  /** File (or run folder) and line the row came from, for messages. */
  source: string;
  machine: string;
  workers: number;
  seconds?: number;
  throughput?: number;
  pricePerHour?: number;
  cores?: number;
  scale?: number;
  /** Every other column, as text. */
  extra: Record<string, string>;
}

export const DEFAULT_MACHINE = 'default';
const KNOWN = new Set(['workers', 'nodes', 'seconds', 'throughput', 'machine', 'price_per_hour', 'cores', 'scale']);
/** The largest worker count a row may have (and recommend may consider). */
export const MAX_WORKERS = 1_000_000;
/** Tables are small by nature (one row per run); this bounds memory for a wrong file. */
export const MAX_ROWS = 100_000;
/** A row is a flat object; a value nested deeper than this is refused before it is parsed. */
const MAX_NESTING = 16;

function positive(value: unknown, column: string, where: string, integer = false): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new PipelineError('DATA', `${where}: ${column} must be a ${integer ? 'positive integer' : 'positive number'}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** One row object (from CSV, JSON Lines or the REST API) to a measured row; `where` names it in errors. */
export function normalizeRow(raw: unknown, where: string): MeasuredRow {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PipelineError('DATA', `${where}: expected an object with workers and seconds, got ${JSON.stringify(raw)?.slice(0, 60)}`);
  const r = raw as Record<string, unknown>;
  const workers = positive(r.workers ?? r.nodes, r.workers !== undefined ? 'workers' : 'nodes', where, true);
  if (workers === undefined) throw new PipelineError('DATA', `${where}: missing workers (or nodes)`);
  if (workers > MAX_WORKERS) throw new PipelineError('DATA', `${where}: workers must be at most ${MAX_WORKERS}, got ${workers}`);
  const seconds = positive(r.seconds, 'seconds', where);
  const throughput = positive(r.throughput, 'throughput', where);
  if (seconds === undefined && throughput === undefined) throw new PipelineError('DATA', `${where}: missing seconds (or throughput)`);
  const machine = r.machine === undefined || r.machine === null || String(r.machine).trim() === '' ? DEFAULT_MACHINE : String(r.machine).trim();
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (!KNOWN.has(k) && v !== null && v !== undefined) extra[k] = String(v).trim();
  return { source: where, machine, workers, seconds, throughput, pricePerHour: positive(r.price_per_hour, 'price_per_hour', where), cores: positive(r.cores, 'cores', where, true), scale: positive(r.scale, 'scale', where), extra };
}

/** Rows of a table given as text; `name` is the file name used in messages. */
export function parseMeasurements(text: string, name: string): MeasuredRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const jsonLines = /\.(jsonl|ndjson|json)$/i.test(name) || (!/\.csv$/i.test(name) && body.trimStart().startsWith('{'));
  const objects: { raw: unknown; line: number }[] = [];
  if (jsonLines) {
    body.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const depth = jsonNesting(line);
      if (depth > MAX_NESTING) throw new PipelineError('DATA', `${name}:${i + 1}: a row nested ${depth} deep; expected a flat object such as {"workers": 4, "seconds": 120}`, { path: name });
      try {
        objects.push({ raw: JSON.parse(line), line: i + 1 });
      } catch {
        throw new PipelineError('DATA', `${name}:${i + 1}: not a JSON object: ${JSON.stringify(line.slice(0, 60))}`, { path: name });
      }
    });
  } else {
    let records: Record<string, string>[];
    try {
      records = parse(body, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw new PipelineError('DATA', `${name}: not a readable CSV table: ${(error as Error).message}`, { path: name });
    }
    records.forEach((raw, i) => objects.push({ raw, line: i + 2 }));
  }
  if (objects.length === 0) throw new PipelineError('DATA', `${name}: no rows; expected a header and one row per run (workers,seconds)`, { path: name });
  if (objects.length > MAX_ROWS) throw new PipelineError('DATA', `${name}: ${objects.length} rows, more than the ${MAX_ROWS} a measurement table may hold`, { path: name });
  return objects.map(({ raw, line }) => normalizeRow(raw, `${name}:${line}`));
}

export async function readMeasurements(path: string): Promise<MeasuredRow[]> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new PipelineError(e.code === 'ENOENT' || e.code === 'EISDIR' ? 'NOT_FOUND' : 'DATA', `--measurements ${path}: ${e.code === 'EISDIR' ? 'a folder, expected a CSV or JSON Lines file' : e.code === 'ENOENT' ? 'no such file' : e.message}`, { path });
  });
  return parseMeasurements(text, path);
}

/** `--where batch_size=64` */
export type { WhereFilter } from '../options/recommend.js';
import type { WhereFilter } from '../options/recommend.js';

const sameValue = (a: string, b: string) => a === b || (a.trim() !== '' && b.trim() !== '' && Number.isFinite(Number(a)) && Number(a) === Number(b));

/** Rows matching every filter; a key no row has is a usage error naming the columns there are. */
export function applyWhere(rows: readonly MeasuredRow[], filters: readonly WhereFilter[]): MeasuredRow[] {
  let out = [...rows];
  for (const f of filters) {
    const value = (r: MeasuredRow) => (f.key === 'machine' ? r.machine : r.extra[f.key]);
    if (!rows.some((r) => value(r) !== undefined)) {
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r.extra)))];
      throw usageError('--where', `a column of the measurements (${columns.length ? columns.join(', ') : 'there are no extra columns'})`, f.key);
    }
    out = out.filter((r) => value(r) !== undefined && sameValue(value(r)!, f.value));
  }
  if (out.length === 0) throw new PipelineError('DATA', `no measurement rows match ${filters.map((f) => `${f.key}=${f.value}`).join(' and ')}`);
  return out;
}
