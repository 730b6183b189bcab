/**
 * The scaling chart (a Vega-Lite spec, pure): measured seconds against workers for every machine
 * type, with the chosen model's curve where one was checked. The report and `pipeline serve` render it.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../charts/render.js';
import { predictSeconds, type ModelName } from './models.js';

export interface ScalingSeries {
  machine: string;
  measured: { workers: number; seconds: number }[];
  /** The chosen model (null: the table alone) and the data size it predicts at. */
  model: { model: ModelName; theta: number[]; scale: number } | null;
  /** Curve range. */
  maxWorkers: number;
  recommended?: number;
}

export function scalingSpec(title: string, series: readonly ScalingSeries[]): ChartSpec {
  const max = Math.max(1, ...series.map((s) => s.maxWorkers));
  const logX = max > 64;
  const steps = 120;
  const curve = series.flatMap((s) => {
    if (!s.model) return [];
    const xs = [...new Set(Array.from({ length: steps + 1 }, (_, i) => (logX ? s.maxWorkers ** (i / steps) : 1 + ((s.maxWorkers - 1) * i) / steps)))];
    return xs.map((w) => ({ workers: w, seconds: predictSeconds(s.model!, w, s.model!.scale), series: `${s.machine} (${s.model!.model})` }));
  });
  const points = series.flatMap((s) => s.measured.map((p) => ({ ...p, series: `${s.machine} measured` })));
  const chosen = series.flatMap((s) => (s.recommended === undefined ? [] : [{ workers: s.recommended, label: `recommended: ${s.recommended}` }]));
  const x = { field: 'workers', type: 'quantitative', title: logX ? 'workers (log scale)' : 'workers', scale: logX ? { type: 'log' } : {} } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 460,
    height: 260,
    layer: [
      { data: { values: curve }, mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x, y: { field: 'seconds', type: 'quantitative', title: 'seconds (log scale)', scale: { type: 'log' } }, color: { field: 'series', type: 'nominal', title: null } } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 80 }, encoding: { x, y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' } }, color: { field: 'series', type: 'nominal' } } },
      ...(chosen.length ? [{ data: { values: chosen }, mark: { type: 'rule', color: '#888' }, encoding: { x } }] : []),
    ],
  } as TopLevelSpec;
}
