/** The scaling chart: measured system throughput per worker count, and the fitted law's curve. */
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from '../report/charts.js';
import type { Recommendation } from './recommend.js';
import { predict } from './scaling-law.js';

export function scalingChart(rec: Recommendation): Chart {
  const max = Math.max(...rec.candidates.map((c) => c.workers), ...rec.measured.map((p) => p.workers));
  const curve = rec.fit
    ? Array.from({ length: Math.round((max - 1) * 8) + 1 }, (_, i) => 1 + i / 8).map((w) => ({ workers: w, throughput: predict(rec.fit!, w), what: `fitted ${rec.fit!.model.toUpperCase()}` }))
    : [];
  const measured = rec.measured.map((p) => ({ workers: p.workers, throughput: p.throughput, what: 'measured' }));
  return {
    name: 'scaling',
    title: `Throughput against workers (${rec.filter.dataset}, cache ${rec.filter.cache}): measured and fitted${rec.fit ? ` (${rec.fit.model}, sigma ${rec.fit.sigma.toPrecision(3)}, kappa ${rec.fit.kappa.toPrecision(3)})` : ''}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 420,
      height: 240,
      layer: [
        { data: { values: curve }, mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x: { field: 'workers', type: 'quantitative', title: 'workers' }, y: { field: 'throughput', type: 'quantitative', title: 'images/s (system)' }, color: { field: 'what', type: 'nominal', title: null } } },
        { data: { values: measured }, mark: { type: 'point', filled: true, size: 90 }, encoding: { x: { field: 'workers', type: 'quantitative' }, y: { field: 'throughput', type: 'quantitative' }, color: { field: 'what', type: 'nominal' } } },
      ],
    } as TopLevelSpec,
  };
}
