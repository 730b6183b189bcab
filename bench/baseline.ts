/**
 * The committed baseline (reports/bench/baseline.json): the last release's figures. A bench
 * compares its figures with it after writing its results, and fails loudly (an Error, exit 1)
 * when one falls below half of its baseline: a 2x regression no longer passes unseen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_OUT, round } from './util.js';

export interface BaselineCheck {
  figure: string;
  value: number;
  baseline: number;
  /** value / baseline: higher is better. */
  ratio: number;
  regression: boolean;
}

const REGRESSION_RATIO = 0.5;

/** Each figure against its baseline (figures without one are left out). */
export function compareWithBaseline(figures: Record<string, number>): BaselineCheck[] {
  const baseline = JSON.parse(readFileSync(join(BENCH_OUT, 'baseline.json'), 'utf8')) as { figures: Record<string, { value: number }> };
  return Object.entries(figures)
    .filter(([name]) => baseline.figures[name])
    .map(([figure, value]) => {
      const base = baseline.figures[figure].value;
      return { figure, value: round(value), baseline: base, ratio: round(value / base), regression: value < base * REGRESSION_RATIO };
    });
}

/** Throws, naming every regressed figure, when any check regressed. */
export function failOnRegression(checks: BaselineCheck[]): void {
  const regressed = checks.filter((c) => c.regression);
  if (regressed.length === 0) return;
  throw new Error(`REGRESSION against reports/bench/baseline.json: ${regressed.map((c) => `${c.figure} ${c.value} is ${c.ratio}x its baseline ${c.baseline}`).join('; ')}`);
}
