/**
 * One multiple regression per dataset x cache mode: images/s on every parameter that varies in the
 * group at once (batch_size, batch_number, repetition, data_size = their product, and workers /
 * partitions in a scaling study), by ordinary least squares. The note names collinear parameters:
 * a dropped column (a linear combination of the others) and any with a variance inflation factor
 * above 10, whose coefficients should not be read one by one. Pure.
 */
import { fitOls } from '../stats/ols.js';
import type { MeasurementRow } from '../run-folder/files.js';
import type { REGRESSION_MULTI, RowOf } from '../run-folder/files.js';
import { PARAMETERS } from './regressions.js';

const TERMS = [...PARAMETERS, 'workers', 'partitions'] as const;
const VIF_LIMIT = 10;

/** A regression-multi.csv row (its columns: src/run-folder/files.ts). */
export type MultiRegressionRow = RowOf<typeof REGRESSION_MULTI.columns>;

export function multipleRegressions(rows: readonly MeasurementRow[]): MultiRegressionRow[] {
  const out: MultiRegressionRow[] = [];
  const groups = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.cache}`))].sort();
  for (const key of groups) {
    const [dataset, cache] = key.split('\u0000');
    const group = rows.filter((r) => r.dataset === dataset && r.cache === cache);
    const varied = TERMS.filter((t) => new Set(group.map((r) => r[t])).size > 1);
    const empty = { coefficient: null, stderr: null, t: null, p_value: null, ci_low: null, ci_high: null, vif: null, r2: null, adjusted_r2: null };
    if (varied.length === 0) {
      out.push({ dataset, cache, term: 'intercept', ...empty, n: group.length, note: 'no parameter varies in this group' });
      continue;
    }
    const outcome = fitOls(Object.fromEntries(varied.map((t) => [t, group.map((r) => r[t])])), group.map((r) => r.images_per_second));
    const notes: string[] = outcome.dropped.map((d) => `${d} dropped: a linear combination of the other terms`);
    if (!outcome.ok) {
      out.push({ dataset, cache, term: 'intercept', ...empty, n: outcome.n, note: [outcome.note, ...notes].join('; ') });
      continue;
    }
    const inflated = outcome.terms.filter((t) => t.vif > VIF_LIMIT);
    if (inflated.length) notes.push(`collinear: ${inflated.map((t) => `${t.term} (VIF ${t.vif.toFixed(1)})`).join(', ')}; read their coefficients together, not one by one`);
    const note = notes.join('; ');
    for (const t of outcome.terms) {
      out.push({
        dataset, cache, term: t.term, coefficient: t.coefficient, stderr: t.stderr, t: t.t, p_value: t.p_value, ci_low: t.ci_low, ci_high: t.ci_high,
        vif: Number.isNaN(t.vif) ? null : t.vif, n: outcome.n, r2: outcome.r2, adjusted_r2: outcome.adjR2, note,
      });
    }
  }
  return out;
}
