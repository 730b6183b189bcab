/** One least-squares line of images/s on each parameter, per dataset x cache mode. Pure. */
import { fitLine } from '../stats/linregress.js';
import type { MeasurementRow } from '../speedtest/task.js';

export const PARAMETERS = ['batch_size', 'batch_number', 'repetition', 'data_size'] as const;
export type Parameter = (typeof PARAMETERS)[number];

export interface RegressionRow {
  dataset: string;
  cache: string;
  parameter: Parameter;
  n: number;
  slope: number | null;
  intercept: number | null;
  r: number | null;
  r2: number | null;
  p_value: number | null;
  stderr: number | null;
  note: string;
}

export function regressions(rows: readonly MeasurementRow[]): RegressionRow[] {
  const out: RegressionRow[] = [];
  const groups = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.cache}`))].sort();
  for (const key of groups) {
    const [dataset, cache] = key.split('\u0000');
    const group = rows.filter((r) => r.dataset === dataset && r.cache === cache);
    for (const parameter of PARAMETERS) {
      const outcome = fitLine(group.map((r) => r[parameter]), group.map((r) => r.images_per_second));
      out.push(
        outcome.ok
          ? { dataset, cache, parameter, n: outcome.fit.n, slope: outcome.fit.slope, intercept: outcome.fit.intercept, r: outcome.fit.r, r2: outcome.fit.r2, p_value: outcome.fit.p_value, stderr: outcome.fit.stderr, note: '' }
          : { dataset, cache, parameter, n: outcome.n, slope: null, intercept: null, r: null, r2: null, p_value: null, stderr: null, note: outcome.note },
      );
    }
  }
  return out;
}
