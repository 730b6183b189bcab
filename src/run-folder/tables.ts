/**
 * Writes a table of rows as CSV and as an Arrow IPC file from the same values, so the two always
 * agree. Column types are declared once per table: 'int' (Int32: counts, sizes, indices),
 * 'int64' (Int64: counters that can pass 2^31, bytes and operations), 'float' (Float64: times,
 * rates), 'string'. Readers get Int64 values as bigint (see loadRun).
 */
import { writeFileAtomic } from '../output/atomic.js';
import { Float64, Int32, Int64, Table, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { stringify } from 'csv-stringify/sync';

export type ColumnType = 'string' | 'int' | 'int64' | 'float';

export type Columns<Row> = { [K in keyof Row & string]?: ColumnType };

const arrowType = (t: ColumnType): DataType => (t === 'string' ? new Utf8() : t === 'int' ? new Int32() : t === 'int64' ? new Int64() : new Float64());

/** Arrow's Int64 builder takes bigints; a counter that could not be read (NaN) is null. */
const int64 = (v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? BigInt(Math.round(v)) : null) : v);

export function toArrow<Row extends object>(rows: readonly Row[], columns: Record<string, ColumnType>): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, type] of Object.entries(columns)) {
    const raw = rows.map((r) => (r as Record<string, unknown>)[name] ?? null);
    const values = type === 'int64' ? raw.map(int64) : raw;
    vectors[name] = vectorFromArray(values as never[], arrowType(type)) as Vector;
  }
  return tableToIPC(new Table(vectors), 'file');
}

export function toCsv<Row extends object>(rows: readonly Row[], columns: Record<string, ColumnType>): string {
  const names = Object.keys(columns);
  return stringify(
    rows.map((r) => names.map((n) => (r as Record<string, unknown>)[n])),
    { header: true, columns: names },
  );
}

/** `base.csv` and (when `arrow`) `base.arrow`. */
export async function writeTable<Row extends object>(base: string, rows: readonly Row[], columns: Record<string, ColumnType>, arrow = true): Promise<void> {
  await writeFileAtomic(`${base}.csv`, toCsv(rows, columns));
  if (arrow) await writeFileAtomic(`${base}.arrow`, toArrow(rows, columns));
}
