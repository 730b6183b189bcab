/**
 * Writes a table of rows as CSV and as an Arrow IPC file from the same values, so the two always
 * agree. Column types are declared once per table.
 */
import { writeFileAtomic } from '../output/atomic.js';
import { Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { stringify } from 'csv-stringify/sync';

export type ColumnType = 'string' | 'int' | 'float';

export type Columns<Row> = { [K in keyof Row & string]?: ColumnType };

const arrowType = (t: ColumnType): DataType => (t === 'string' ? new Utf8() : t === 'int' ? new Int32() : new Float64());

export function toArrow<Row extends object>(rows: readonly Row[], columns: Record<string, ColumnType>): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, type] of Object.entries(columns)) {
    const values = rows.map((r) => (r as Record<string, unknown>)[name] ?? null);
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
