/**
 * Writes a table of rows as CSV and as an Arrow IPC file from the same values, so the two always
 * agree. The columns and their types come from the table's schema (files.ts). Readers get Int64
 * values as bigint (read-table.ts turns them back into numbers).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileAtomic } from '../output/atomic.js';
import type { DataType, Vector } from 'apache-arrow';
import { stringify } from 'csv-stringify/sync';
import { columnType, type ColumnSpecs, type ColumnType, type RowOf, type TableSchema } from './files.js';

/**
 * apache-arrow's own one-file build (the same version, the same bytes written: test/run-folder/
 * tables.test.ts): about 15 ms of CPU to load, where its 150-module ES build costs about 0.13 s,
 * which every convert paid between its last image and its exit (convert-run/hosts.arrow).
 * Loaded when a table is written, not by every command that might write one.
 */
const loadArrow = async () => createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof import('apache-arrow');

/** Arrow's Int64 builder takes bigints; a counter that could not be read (NaN) is null. */
const int64 = (v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? BigInt(Math.round(v)) : null) : v);

/** `metadata`: key-value pairs kept in the Arrow schema (e.g. that the run was interrupted). */
export async function toArrow<Row extends object>(rows: readonly Row[], columns: ColumnSpecs, metadata?: Record<string, string>): Promise<Uint8Array> {
  const { Float64, Int32, Int64, Schema, Table, Utf8, tableToIPC, vectorFromArray } = await loadArrow();
  const arrowType = (t: ColumnType): DataType => (t === 'string' ? new Utf8() : t === 'int' ? new Int32() : t === 'int64' ? new Int64() : new Float64());
  const vectors: Record<string, Vector> = {};
  for (const [name, spec] of Object.entries(columns)) {
    const type = columnType(spec);
    const raw = rows.map((r) => (r as Record<string, unknown>)[name] ?? null);
    const values = type === 'int64' ? raw.map(int64) : raw;
    vectors[name] = vectorFromArray(values as never[], arrowType(type)) as Vector;
  }
  const table = new Table(vectors);
  if (!metadata) return tableToIPC(table, 'file');
  return tableToIPC(new Table(new Schema(table.schema.fields, new Map(Object.entries(metadata))), table.batches), 'file');
}

export function toCsv<Row extends object>(rows: readonly Row[], columns: ColumnSpecs): string {
  const names = Object.keys(columns);
  return stringify(
    rows.map((r) => names.map((n) => (r as Record<string, unknown>)[n])),
    { header: true, columns: names },
  );
}

/**
 * `dir/<name>.csv` and (when the schema says so) `dir/<name>.arrow`. Rows may carry more fields
 * than the schema's columns (only those are written) and null for a value not measured.
 * `metadata` goes into the Arrow file's schema.
 */
export async function writeTable<C extends ColumnSpecs>(
  dir: string,
  schema: TableSchema<C>,
  rows: readonly WritableRow<C>[],
  metadata?: Record<string, string>,
): Promise<void> {
  // Both at once: each write waits for its own fsync.
  await Promise.all([
    writeFileAtomic(join(dir, `${schema.name}.csv`), toCsv(rows, schema.columns)),
    schema.arrow ? toArrow(rows, schema.columns, metadata).then((bytes) => writeFileAtomic(join(dir, `${schema.name}.arrow`), bytes)) : undefined,
  ]);
}

/** Loads the Arrow writer ahead of time (a command's main thread, idle while its workers convert), so that the tables are written at once when the run ends. */
export function preloadArrow(): void {
  void loadArrow();
}

/** A row as written: the schema's fields, any of them possibly null (blank in the CSV). */
type WritableRow<C extends ColumnSpecs> = { [K in keyof RowOf<C>]: RowOf<C>[K] | null };
