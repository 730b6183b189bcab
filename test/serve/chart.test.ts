import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse } from '../../src/recommend/analyse.js';
import type { MeasuredRow } from '../../src/recommend/measurements.js';
import { chartSvg } from '../../src/serve/chart.js';

test('the scaling chart shows every machine type: its measured points and its model\'s curve', async () => {
  const rows: MeasuredRow[] = [];
  for (const [machine, law] of [['small', (m: number) => 2000 / m + 10 + 0.8 * m], ['large', (m: number) => 900 / m + 15 + 2 * m]] as const) {
    for (const m of [1, 2, 4, 8, 16]) rows.push({ source: 't', machine, workers: m, seconds: law(m), extra: {} });
  }
  rows.push({ source: 't', machine: 'tiny', workers: 1, seconds: 5000, extra: {} });
  const rec = analyse(rows, { goal: 'time', model: 'auto' }).result;
  const svg = await chartSvg(rec);
  for (const name of ['small measured', 'large measured', 'tiny measured']) assert.ok(svg.includes(name), name);
  assert.match(svg, /small \((usl|ernest|amdahl)\)/);
  assert.match(svg, /large \((usl|ernest|amdahl)\)/);
  assert.ok(!/tiny \(/.test(svg), 'one point: no curve for tiny');
  assert.equal((svg.match(/<path[^>]*aria-roledescription="point"/g) ?? []).length, 11, 'a point per measured (machine, count)');
});
