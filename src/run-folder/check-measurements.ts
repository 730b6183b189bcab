/**
 * The measurement rows a report, a comparison or a recommendation can trust: every value the
 * regressions use is a finite number in its range. A damaged or hand-edited measurements.arrow
 * (NaN, Infinity, a negative rate, text in a numeric column) is a data error naming the file, the
 * row and the column (exit 3), never NaN regressions with exit 0.
 */
import { PipelineError } from '../errors.js';
import { MEASUREMENTS, type MeasurementRow } from './files.js';

/**
 * Column -> what a valid value is. Integers: the grid's parameters and counts; non-negative:
 * measured values. Keyed by the columns declared in files.ts, so a renamed column fails to compile.
 */
const RULES: Partial<Record<keyof MeasurementRow, { integer: boolean; min: number }>> = {
  batch_size: { integer: true, min: 1 },
  batch_number: { integer: true, min: 1 },
  repetition: { integer: true, min: 1 },
  data_size: { integer: true, min: 1 },
  images: { integer: true, min: 0 },
  seconds: { integer: false, min: 0 },
  images_per_second: { integer: false, min: 0 },
};

/** The columns that hold names: the 'string' columns of files.ts's declaration (dataset, cache). */
const NAME_COLUMNS = Object.entries(MEASUREMENTS.columns)
  .filter(([, spec]) => (typeof spec === 'string' ? spec : spec.type) === 'string')
  .map(([column]) => column);

export function checkMeasurements(rows: readonly Record<string, unknown>[], path: string): void {
  rows.forEach((row, i) => {
    for (const [column, rule] of Object.entries(RULES) as [keyof MeasurementRow, { integer: boolean; min: number }][]) {
      const v = row[column];
      if (typeof v === 'number' && Number.isFinite(v) && v >= rule.min && (!rule.integer || Number.isInteger(v))) continue;
      const expected = rule.integer ? `an integer >= ${rule.min}` : `a finite number >= ${rule.min}`;
      throw new PipelineError('DATA', `${path}: row ${i + 1}: ${column} must be ${expected}, got ${v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v)}${typeof v === 'number' && !Number.isFinite(v) ? ` (${v})` : ''}; the run folder is damaged, rerun pipeline speedtest (with --overwrite)`, { path });
    }
    for (const column of NAME_COLUMNS) {
      if (typeof row[column] !== 'string' || row[column] === '') throw new PipelineError('DATA', `${path}: row ${i + 1}: ${column} must be a name, got ${JSON.stringify(row[column]) ?? 'nothing'}; the run folder is damaged, rerun pipeline speedtest (with --overwrite)`, { path });
    }
  });
}
