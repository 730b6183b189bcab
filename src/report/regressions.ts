/**
 * One least-squares line of images/s on each parameter, per dataset x cache mode, with the slope's
 * 95% interval (slope -/+ t.ppf(0.975, n - 2) x stderr). Pure.
 */
import { fitLine } from '../stats/linregress.js';
import { tCritical } from '../stats/student-t.js';
import type { MeasurementRow } from '../run-folder/files.js';
import type { REGRESSION, RowOf } from '../run-folder/files.js';

export const PARAMETERS = ['batch_size', 'batch_number', 'repetition', 'data_size'] as const;
export type Parameter = (typeof PARAMETERS)[number];

/** A regression.csv row (its columns: src/run-folder/files.ts). */
export type RegressionRow = Omit<RowOf<typeof REGRESSION.columns>, 'parameter'> & { parameter: Parameter };

export function regressions(rows: readonly MeasurementRow[]): RegressionRow[] {
  const out: RegressionRow[] = [];
  const groups = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.cache}`))].sort();
  for (const key of groups) {
    const [dataset, cache] = key.split('\u0000');
    const group = rows.filter((r) => r.dataset === dataset && r.cache === cache);
    for (const parameter of PARAMETERS) {
      const outcome = fitLine(group.map((r) => r[parameter]), group.map((r) => r.images_per_second));
      if (!outcome.ok) {
        const none = { slope: null, intercept: null, r: null, r2: null, p_value: null, stderr: null, slope_ci_low: null, slope_ci_high: null };
        out.push({ dataset, cache, parameter, n: outcome.n, ...none, note: outcome.note });
        continue;
      }
      const { fit } = outcome;
      const half = tCritical(0.05, fit.n - 2) * fit.stderr;
      out.push({ dataset, cache, parameter, n: fit.n, slope: fit.slope, intercept: fit.intercept, r: fit.r, r2: fit.r2, p_value: fit.p_value, stderr: fit.stderr, slope_ci_low: fit.slope - half, slope_ci_high: fit.slope + half, note: '' });
    }
  }
  return out;
}
