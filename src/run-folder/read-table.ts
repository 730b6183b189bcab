/**
 * Reads a run folder's table back, checked against its schema (files.ts): a file that is damaged,
 * lacks a column, holds a value of the wrong type or cannot be read is one line naming it (exit 3),
 * never a stack or a silently empty table. A missing file is NOT_FOUND, for the caller to judge
 * (an optional file of older runs, or a folder that is no run at all).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { PipelineError } from '../errors.js';
import { columnType, type ColumnSpec, type ColumnSpecs, type RowOf, type TableSchema } from './files.js';

const ARROW_MAGIC = Buffer.from('ARROW1');

/** A damaged run file: one line naming it (exit 3). */
export function damaged(path: string, what: string): PipelineError {
  return new PipelineError('DATA', `${path}: ${what}; the run folder is damaged, rerun pipeline speedtest (with --overwrite)`, { path });
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PipelineError('NOT_FOUND', `${path}: missing; expected a run folder written by pipeline speedtest`, { path, cause: error });
    if (code === 'EACCES' || code === 'EPERM') throw new PipelineError('DATA', `${path}: permission denied; make the run folder readable to this user`, { path, cause: error });
    throw new PipelineError('DATA', `${path}: cannot be read (${code ?? (error as Error).message})`, { path, cause: error });
  }
}

const isOptional = (spec: ColumnSpec) => typeof spec !== 'string' && spec.optional === true;
const isNullable = (spec: ColumnSpec) => typeof spec !== 'string' && spec.nullable === true;

function checkColumns(path: string, present: readonly string[], columns: ColumnSpecs): void {
  const missing = Object.entries(columns).filter(([name, spec]) => !isOptional(spec) && !present.includes(name)).map(([name]) => name);
  if (missing.length) throw damaged(path, `expected the column(s) ${missing.join(', ')}, got ${present.join(', ') || 'none'}`);
}

/** A value read back: the column's type, or null where the column allows it (a CSV's empty cell). */
function checkValue(path: string, line: number, name: string, spec: ColumnSpec, value: unknown): void {
  if (value === null || value === undefined || value === '') {
    if (isNullable(spec) || isOptional(spec) || columnType(spec) === 'string' || columnType(spec) === 'float' || columnType(spec) === 'int64') return;
  } else if (columnType(spec) === 'string' ? typeof value === 'string' : typeof value === 'number') {
    return;
  }
  throw damaged(path, `row ${line}, column ${name}: expected ${columnType(spec) === 'string' ? 'text' : 'a number'}, got ${JSON.stringify(value)}`);
}

/** `dir/<name>.arrow`: every row, Int64 counters as numbers; the schema's key-value metadata copied into `metadata`. */
export async function readArrowTable<C extends ColumnSpecs>(dir: string, schema: TableSchema<C>, metadata?: Map<string, string>): Promise<RowOf<C>[]> {
  const path = join(dir, `${schema.name}.arrow`);
  const bytes = await readBytes(path);
  // An Arrow IPC file starts and ends with "ARROW1": a truncated one would otherwise read as 0 rows.
  if (bytes.length < 2 * ARROW_MAGIC.length || !bytes.subarray(0, 6).equals(ARROW_MAGIC) || !bytes.subarray(-6).equals(ARROW_MAGIC)) {
    throw damaged(path, `not a complete Arrow IPC file (${bytes.length} bytes, truncated or corrupt)`);
  }
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw damaged(path, `unreadable Arrow IPC file (${(error as Error).message})`);
  }
  checkColumns(path, table.schema.fields.map((f) => f.name), schema.columns);
  for (const [k, v] of table.schema.metadata) metadata?.set(k, v);
  try {
    // Int64 counters come back as bigint: numbers here (exact below 2^53, far above any byte count).
    return table.toArray().map((row) => Object.fromEntries(Object.entries(row.toJSON()).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as RowOf<C>);
  } catch (error) {
    throw damaged(path, `unreadable Arrow IPC file (${(error as Error).message})`);
  }
}

/** `dir/<name>.csv`: every row, numbers cast in the schema's number columns only. */
export async function readCsvTable<C extends ColumnSpecs>(dir: string, schema: TableSchema<C>): Promise<RowOf<C>[]> {
  const path = join(dir, `${schema.name}.csv`);
  const text = await readBytes(path);
  let records: Record<string, unknown>[];
  let header: string[] = [];
  try {
    records = parse(text, {
      columns: (names: string[]) => (header = names),
      cast: (value, context) => {
        const spec = typeof context.column === 'string' ? schema.columns[context.column] : undefined;
        if (context.header || spec === undefined || columnType(spec) === 'string' || value === '') return value;
        const number = Number(value);
        return Number.isNaN(number) ? value : number;
      },
    });
  } catch (error) {
    throw damaged(path, `not valid CSV (${(error as Error).message})`);
  }
  // A table we wrote always has its header line, even with no rows.
  if (text.length === 0) throw damaged(path, 'empty (no header line)');
  checkColumns(path, header, schema.columns);
  records.forEach((record, i) => {
    for (const [name, spec] of Object.entries(schema.columns)) if (name in record) checkValue(path, i + 2, name, spec, record[name]);
  });
  return records as RowOf<C>[];
}
